using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Parley.Data.Migrations.Sqlite
{
    /// <inheritdoc />
    public partial class PendingDeliveriesIndex : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            // The processor's queue read: the oldest pending deliveries by id. PostgreSQL's statistics lag behind a
            // table whose rows go from pending to processed all the time; with them it read through the primary key and
            // filtered out every processed row (86-116 ms for 150,000, each batch). An index of pending rows alone is
            // the cheapest way to them whatever the statistics say (docs/adr/0041). Written by hand: mapped in the
            // model, an index on the id would go on the bodies' table too (entity splitting, ADR 36).
            migrationBuilder.Sql("""CREATE INDEX "IX_InboundEvents_Pending" ON "InboundEvents" ("Id") WHERE "Status" = 'Pending';""");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.Sql("""DROP INDEX "IX_InboundEvents_Pending";""");
        }
    }
}
