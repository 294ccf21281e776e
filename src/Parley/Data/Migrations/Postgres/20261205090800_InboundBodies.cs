using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Parley.Data.Migrations.Postgres
{
    /// <inheritdoc />
    public partial class InboundBodies : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "InboundBodies",
                columns: table => new
                {
                    Id = table.Column<long>(type: "bigint", nullable: false),
                    Body = table.Column<byte[]>(type: "bytea", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_InboundBodies", x => x.Id);
                    table.ForeignKey(
                        name: "FK_InboundBodies_InboundEvents_Id",
                        column: x => x.Id,
                        principalTable: "InboundEvents",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                });

            // Every stored delivery keeps its body, now beside it.
            migrationBuilder.Sql("""INSERT INTO "InboundBodies" ("Id", "Body") SELECT "Id", "Body" FROM "InboundEvents";""");

            migrationBuilder.DropColumn(
                name: "Body",
                table: "InboundEvents");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<byte[]>(
                name: "Body",
                table: "InboundEvents",
                type: "bytea",
                nullable: false,
                defaultValue: new byte[0]);

            migrationBuilder.Sql("""UPDATE "InboundEvents" SET "Body" = b."Body" FROM "InboundBodies" b WHERE b."Id" = "InboundEvents"."Id";""");

            migrationBuilder.DropTable(
                name: "InboundBodies");
        }
    }
}
