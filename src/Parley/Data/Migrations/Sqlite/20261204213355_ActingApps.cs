using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Parley.Data.Migrations.Sqlite
{
    /// <inheritdoc />
    public partial class ActingApps : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<Guid>(
                name: "AuthorAppId",
                table: "Notes",
                type: "TEXT",
                nullable: true);

            migrationBuilder.AddColumn<Guid>(
                name: "InReplyToCommandId",
                table: "Notes",
                type: "TEXT",
                nullable: true);

            migrationBuilder.AddColumn<Guid>(
                name: "AuthorAppId",
                table: "Messages",
                type: "TEXT",
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "FactsUpdatedBy",
                table: "Contacts",
                type: "TEXT",
                maxLength: 200,
                nullable: true);

            migrationBuilder.AddColumn<Guid>(
                name: "FactsUpdatedByAppId",
                table: "Contacts",
                type: "TEXT",
                nullable: true);

            migrationBuilder.CreateTable(
                name: "AppCommand",
                columns: table => new
                {
                    Id = table.Column<Guid>(type: "TEXT", nullable: false),
                    AppId = table.Column<Guid>(type: "TEXT", nullable: false),
                    Name = table.Column<string>(type: "TEXT", maxLength: 32, nullable: false),
                    Description = table.Column<string>(type: "TEXT", maxLength: 500, nullable: false),
                    CreatedAt = table.Column<long>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_AppCommand", x => x.Id);
                });

            migrationBuilder.CreateTable(
                name: "AppReplyRule",
                columns: table => new
                {
                    BrandId = table.Column<Guid>(type: "TEXT", nullable: false),
                    AppId = table.Column<Guid>(type: "TEXT", nullable: false),
                    RequireApproval = table.Column<bool>(type: "INTEGER", nullable: false),
                    UpdatedAt = table.Column<long>(type: "INTEGER", nullable: false),
                    UpdatedBy = table.Column<string>(type: "TEXT", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_AppReplyRule", x => new { x.BrandId, x.AppId });
                });

            migrationBuilder.CreateTable(
                name: "CommandInvocation",
                columns: table => new
                {
                    Id = table.Column<Guid>(type: "TEXT", nullable: false),
                    CommandId = table.Column<Guid>(type: "TEXT", nullable: false),
                    AppId = table.Column<Guid>(type: "TEXT", nullable: false),
                    ConversationId = table.Column<Guid>(type: "TEXT", nullable: false),
                    BrandId = table.Column<Guid>(type: "TEXT", nullable: false),
                    Command = table.Column<string>(type: "TEXT", maxLength: 32, nullable: false),
                    Arguments = table.Column<string>(type: "TEXT", maxLength: 500, nullable: false),
                    InvokedBy = table.Column<string>(type: "TEXT", maxLength: 200, nullable: false),
                    InvokedByUserId = table.Column<Guid>(type: "TEXT", nullable: true),
                    NoteId = table.Column<Guid>(type: "TEXT", nullable: true),
                    InvokedAt = table.Column<long>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_CommandInvocation", x => x.Id);
                });

            migrationBuilder.CreateTable(
                name: "ConversationTag",
                columns: table => new
                {
                    ConversationId = table.Column<Guid>(type: "TEXT", nullable: false),
                    Tag = table.Column<string>(type: "TEXT", maxLength: 50, nullable: false),
                    AddedAt = table.Column<long>(type: "INTEGER", nullable: false),
                    AddedBy = table.Column<string>(type: "TEXT", maxLength: 200, nullable: false),
                    AddedByUserId = table.Column<Guid>(type: "TEXT", nullable: true),
                    AddedByAppId = table.Column<Guid>(type: "TEXT", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_ConversationTag", x => new { x.ConversationId, x.Tag });
                });

            migrationBuilder.CreateTable(
                name: "KnowledgeArticle",
                columns: table => new
                {
                    Id = table.Column<Guid>(type: "TEXT", nullable: false),
                    BrandId = table.Column<Guid>(type: "TEXT", nullable: false),
                    Title = table.Column<string>(type: "TEXT", maxLength: 200, nullable: false),
                    Body = table.Column<string>(type: "TEXT", maxLength: 20000, nullable: false),
                    Tags = table.Column<string>(type: "TEXT", maxLength: 500, nullable: false),
                    SearchText = table.Column<string>(type: "TEXT", maxLength: 21000, nullable: false),
                    UpdatedBy = table.Column<string>(type: "TEXT", maxLength: 200, nullable: false),
                    UpdatedByUserId = table.Column<Guid>(type: "TEXT", nullable: true),
                    UpdatedByAppId = table.Column<Guid>(type: "TEXT", nullable: true),
                    CreatedAt = table.Column<long>(type: "INTEGER", nullable: false),
                    UpdatedAt = table.Column<long>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_KnowledgeArticle", x => x.Id);
                });

            migrationBuilder.CreateTable(
                name: "ReplyProposal",
                columns: table => new
                {
                    Id = table.Column<Guid>(type: "TEXT", nullable: false),
                    ConversationId = table.Column<Guid>(type: "TEXT", nullable: false),
                    BrandId = table.Column<Guid>(type: "TEXT", nullable: false),
                    AppId = table.Column<Guid>(type: "TEXT", nullable: false),
                    AppName = table.Column<string>(type: "TEXT", maxLength: 200, nullable: false),
                    Text = table.Column<string>(type: "TEXT", maxLength: 10000, nullable: false),
                    Visibility = table.Column<string>(type: "TEXT", maxLength: 32, nullable: false),
                    Status = table.Column<string>(type: "TEXT", maxLength: 32, nullable: false),
                    CreatedAt = table.Column<long>(type: "INTEGER", nullable: false),
                    DecidedAt = table.Column<long>(type: "INTEGER", nullable: true),
                    DecidedBy = table.Column<string>(type: "TEXT", maxLength: 200, nullable: true),
                    DecidedByUserId = table.Column<Guid>(type: "TEXT", nullable: true),
                    RejectionReason = table.Column<string>(type: "TEXT", maxLength: 1000, nullable: true),
                    Edited = table.Column<bool>(type: "INTEGER", nullable: false),
                    InReplyToCommandId = table.Column<Guid>(type: "TEXT", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_ReplyProposal", x => x.Id);
                });

            migrationBuilder.CreateIndex(
                name: "IX_AppCommand_AppId_Name",
                table: "AppCommand",
                columns: new[] { "AppId", "Name" },
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_AppCommand_Name",
                table: "AppCommand",
                column: "Name");

            migrationBuilder.CreateIndex(
                name: "IX_CommandInvocation_ConversationId",
                table: "CommandInvocation",
                column: "ConversationId");

            migrationBuilder.CreateIndex(
                name: "IX_ConversationTag_Tag_ConversationId",
                table: "ConversationTag",
                columns: new[] { "Tag", "ConversationId" });

            migrationBuilder.CreateIndex(
                name: "IX_KnowledgeArticle_BrandId_UpdatedAt",
                table: "KnowledgeArticle",
                columns: new[] { "BrandId", "UpdatedAt" });

            migrationBuilder.CreateIndex(
                name: "IX_ReplyProposal_ConversationId_CreatedAt",
                table: "ReplyProposal",
                columns: new[] { "ConversationId", "CreatedAt" });
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "AppCommand");

            migrationBuilder.DropTable(
                name: "AppReplyRule");

            migrationBuilder.DropTable(
                name: "CommandInvocation");

            migrationBuilder.DropTable(
                name: "ConversationTag");

            migrationBuilder.DropTable(
                name: "KnowledgeArticle");

            migrationBuilder.DropTable(
                name: "ReplyProposal");

            migrationBuilder.DropColumn(
                name: "AuthorAppId",
                table: "Notes");

            migrationBuilder.DropColumn(
                name: "InReplyToCommandId",
                table: "Notes");

            migrationBuilder.DropColumn(
                name: "AuthorAppId",
                table: "Messages");

            migrationBuilder.DropColumn(
                name: "FactsUpdatedBy",
                table: "Contacts");

            migrationBuilder.DropColumn(
                name: "FactsUpdatedByAppId",
                table: "Contacts");
        }
    }
}
