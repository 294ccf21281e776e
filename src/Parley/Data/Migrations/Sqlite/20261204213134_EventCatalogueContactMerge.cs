using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Parley.Data.Migrations.Sqlite
{
    /// <inheritdoc />
    public partial class EventCatalogueContactMerge : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<int>(
                name: "DataVersion",
                table: "Events",
                type: "INTEGER",
                nullable: false,
                defaultValue: 1); // events written before versions were recorded are version 1

            migrationBuilder.AddColumn<Guid>(
                name: "MergedIntoId",
                table: "Contacts",
                type: "TEXT",
                nullable: true);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropColumn(
                name: "DataVersion",
                table: "Events");

            migrationBuilder.DropColumn(
                name: "MergedIntoId",
                table: "Contacts");
        }
    }
}
