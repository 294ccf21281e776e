using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Parley.Data.Migrations.Sqlite
{
    /// <inheritdoc />
    public partial class WorkspacePerf : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "IX_Messages_ConversationId",
                table: "Messages");

            migrationBuilder.DropIndex(
                name: "IX_Conversations_Status_RankedPriority_LastMessageAt",
                table: "Conversations");

            migrationBuilder.CreateIndex(
                name: "IX_Messages_ConversationId_CreatedAt",
                table: "Messages",
                columns: new[] { "ConversationId", "CreatedAt" });

            migrationBuilder.CreateIndex(
                name: "IX_Conversations_Status_RankedPriority_LastMessageAt_Id",
                table: "Conversations",
                columns: new[] { "Status", "RankedPriority", "LastMessageAt", "Id" },
                descending: new[] { false, true, false, false });

            migrationBuilder.CreateIndex(
                name: "IX_Conversations_Status_Removed_TeamId_BrandId_AssigneeId",
                table: "Conversations",
                columns: new[] { "Status", "Removed", "TeamId", "BrandId", "AssigneeId" });
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "IX_Messages_ConversationId_CreatedAt",
                table: "Messages");

            migrationBuilder.DropIndex(
                name: "IX_Conversations_Status_RankedPriority_LastMessageAt_Id",
                table: "Conversations");

            migrationBuilder.DropIndex(
                name: "IX_Conversations_Status_Removed_TeamId_BrandId_AssigneeId",
                table: "Conversations");

            migrationBuilder.CreateIndex(
                name: "IX_Messages_ConversationId",
                table: "Messages",
                column: "ConversationId");

            migrationBuilder.CreateIndex(
                name: "IX_Conversations_Status_RankedPriority_LastMessageAt",
                table: "Conversations",
                columns: new[] { "Status", "RankedPriority", "LastMessageAt" });
        }
    }
}
