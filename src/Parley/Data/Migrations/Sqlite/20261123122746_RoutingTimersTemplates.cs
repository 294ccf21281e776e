using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Parley.Data.Migrations.Sqlite
{
    /// <inheritdoc />
    public partial class RoutingTimersTemplates : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<long>(
                name: "AssignedAt",
                table: "Conversations",
                type: "INTEGER",
                nullable: true);

            migrationBuilder.AddColumn<long>(
                name: "NextTimerCheckAt",
                table: "Conversations",
                type: "INTEGER",
                nullable: true);

            migrationBuilder.AddColumn<long>(
                name: "RoutedAt",
                table: "Conversations",
                type: "INTEGER",
                nullable: true);

            migrationBuilder.CreateTable(
                name: "AgentProfiles",
                columns: table => new
                {
                    UserId = table.Column<Guid>(type: "TEXT", nullable: false),
                    Status = table.Column<string>(type: "TEXT", maxLength: 32, nullable: false),
                    StatusChangedAt = table.Column<long>(type: "INTEGER", nullable: true),
                    LastSeenAt = table.Column<long>(type: "INTEGER", nullable: true),
                    Capacity = table.Column<int>(type: "INTEGER", nullable: false),
                    Skills = table.Column<string>(type: "TEXT", maxLength: 2000, nullable: false),
                    LastAssignedAt = table.Column<long>(type: "INTEGER", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_AgentProfiles", x => x.UserId);
                    table.ForeignKey(
                        name: "FK_AgentProfiles_Users_UserId",
                        column: x => x.UserId,
                        principalTable: "Users",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "FiredTimerRules",
                columns: table => new
                {
                    ConversationId = table.Column<Guid>(type: "TEXT", nullable: false),
                    RuleId = table.Column<Guid>(type: "TEXT", nullable: false),
                    Episode = table.Column<string>(type: "TEXT", maxLength: 64, nullable: false),
                    FiredAt = table.Column<long>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_FiredTimerRules", x => new { x.ConversationId, x.RuleId, x.Episode });
                });

            migrationBuilder.CreateTable(
                name: "QueueAssignees",
                columns: table => new
                {
                    TeamId = table.Column<Guid>(type: "TEXT", nullable: false),
                    UserId = table.Column<Guid>(type: "TEXT", nullable: false),
                    LastAssignedAt = table.Column<long>(type: "INTEGER", nullable: false),
                    Assigned = table.Column<int>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_QueueAssignees", x => new { x.TeamId, x.UserId });
                });

            migrationBuilder.CreateTable(
                name: "QueueResponders",
                columns: table => new
                {
                    TeamId = table.Column<Guid>(type: "TEXT", nullable: false),
                    UserId = table.Column<Guid>(type: "TEXT", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_QueueResponders", x => new { x.TeamId, x.UserId });
                    table.ForeignKey(
                        name: "FK_QueueResponders_Teams_TeamId",
                        column: x => x.TeamId,
                        principalTable: "Teams",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                    table.ForeignKey(
                        name: "FK_QueueResponders_Users_UserId",
                        column: x => x.UserId,
                        principalTable: "Users",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "QueueSettings",
                columns: table => new
                {
                    TeamId = table.Column<Guid>(type: "TEXT", nullable: false),
                    AutoAssign = table.Column<bool>(type: "INTEGER", nullable: false),
                    Fairness = table.Column<string>(type: "TEXT", maxLength: 32, nullable: false),
                    Sticky = table.Column<bool>(type: "INTEGER", nullable: false),
                    RequiredSkills = table.Column<string>(type: "TEXT", maxLength: 2000, nullable: false),
                    UpdatedAt = table.Column<long>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_QueueSettings", x => x.TeamId);
                    table.ForeignKey(
                        name: "FK_QueueSettings_Teams_TeamId",
                        column: x => x.TeamId,
                        principalTable: "Teams",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "RoutingRules",
                columns: table => new
                {
                    Id = table.Column<Guid>(type: "TEXT", nullable: false),
                    BrandId = table.Column<Guid>(type: "TEXT", nullable: false),
                    TeamId = table.Column<Guid>(type: "TEXT", nullable: false),
                    Name = table.Column<string>(type: "TEXT", maxLength: 200, nullable: false),
                    Order = table.Column<int>(type: "INTEGER", nullable: false),
                    Enabled = table.Column<bool>(type: "INTEGER", nullable: false),
                    ChannelKind = table.Column<string>(type: "TEXT", maxLength: 16, nullable: true),
                    Language = table.Column<string>(type: "TEXT", maxLength: 16, nullable: true),
                    Keywords = table.Column<string>(type: "TEXT", maxLength: 4000, nullable: false),
                    MinPriority = table.Column<int>(type: "INTEGER", nullable: true),
                    CreatedAt = table.Column<long>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_RoutingRules", x => x.Id);
                    table.ForeignKey(
                        name: "FK_RoutingRules_Teams_TeamId",
                        column: x => x.TeamId,
                        principalTable: "Teams",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "Templates",
                columns: table => new
                {
                    Id = table.Column<Guid>(type: "TEXT", nullable: false),
                    BrandId = table.Column<Guid>(type: "TEXT", nullable: false),
                    TeamId = table.Column<Guid>(type: "TEXT", nullable: true),
                    Name = table.Column<string>(type: "TEXT", maxLength: 200, nullable: false),
                    Text = table.Column<string>(type: "TEXT", maxLength: 8000, nullable: false),
                    CreatedAt = table.Column<long>(type: "INTEGER", nullable: false),
                    UpdatedAt = table.Column<long>(type: "INTEGER", nullable: false),
                    UpdatedBy = table.Column<string>(type: "TEXT", maxLength: 200, nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_Templates", x => x.Id);
                });

            migrationBuilder.CreateTable(
                name: "TimerRules",
                columns: table => new
                {
                    Id = table.Column<Guid>(type: "TEXT", nullable: false),
                    BrandId = table.Column<Guid>(type: "TEXT", nullable: false),
                    Name = table.Column<string>(type: "TEXT", maxLength: 200, nullable: false),
                    Enabled = table.Column<bool>(type: "INTEGER", nullable: false),
                    Condition = table.Column<string>(type: "TEXT", maxLength: 32, nullable: false),
                    After = table.Column<TimeSpan>(type: "TEXT", nullable: false),
                    Action = table.Column<string>(type: "TEXT", maxLength: 32, nullable: false),
                    TeamId = table.Column<Guid>(type: "TEXT", nullable: true),
                    ChannelKind = table.Column<string>(type: "TEXT", maxLength: 16, nullable: true),
                    EscalateToUserId = table.Column<Guid>(type: "TEXT", nullable: true),
                    Message = table.Column<string>(type: "TEXT", maxLength: 2000, nullable: true),
                    CreatedAt = table.Column<long>(type: "INTEGER", nullable: false),
                    UpdatedAt = table.Column<long>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_TimerRules", x => x.Id);
                });

            migrationBuilder.CreateIndex(
                name: "IX_Conversations_RoutedAt_CreatedAt",
                table: "Conversations",
                columns: new[] { "RoutedAt", "CreatedAt" });

            migrationBuilder.CreateIndex(
                name: "IX_Conversations_Status_NextTimerCheckAt",
                table: "Conversations",
                columns: new[] { "Status", "NextTimerCheckAt" });

            migrationBuilder.CreateIndex(
                name: "IX_Conversations_TeamId_AssigneeId_Status_CreatedAt",
                table: "Conversations",
                columns: new[] { "TeamId", "AssigneeId", "Status", "CreatedAt" });

            migrationBuilder.CreateIndex(
                name: "IX_QueueResponders_UserId",
                table: "QueueResponders",
                column: "UserId");

            migrationBuilder.CreateIndex(
                name: "IX_RoutingRules_BrandId_Order",
                table: "RoutingRules",
                columns: new[] { "BrandId", "Order" });

            migrationBuilder.CreateIndex(
                name: "IX_RoutingRules_TeamId",
                table: "RoutingRules",
                column: "TeamId");

            migrationBuilder.CreateIndex(
                name: "IX_Templates_BrandId_TeamId_Name",
                table: "Templates",
                columns: new[] { "BrandId", "TeamId", "Name" });

            migrationBuilder.CreateIndex(
                name: "IX_TimerRules_BrandId",
                table: "TimerRules",
                column: "BrandId");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "AgentProfiles");

            migrationBuilder.DropTable(
                name: "FiredTimerRules");

            migrationBuilder.DropTable(
                name: "QueueAssignees");

            migrationBuilder.DropTable(
                name: "QueueResponders");

            migrationBuilder.DropTable(
                name: "QueueSettings");

            migrationBuilder.DropTable(
                name: "RoutingRules");

            migrationBuilder.DropTable(
                name: "Templates");

            migrationBuilder.DropTable(
                name: "TimerRules");

            migrationBuilder.DropIndex(
                name: "IX_Conversations_RoutedAt_CreatedAt",
                table: "Conversations");

            migrationBuilder.DropIndex(
                name: "IX_Conversations_Status_NextTimerCheckAt",
                table: "Conversations");

            migrationBuilder.DropIndex(
                name: "IX_Conversations_TeamId_AssigneeId_Status_CreatedAt",
                table: "Conversations");

            migrationBuilder.DropColumn(
                name: "AssignedAt",
                table: "Conversations");

            migrationBuilder.DropColumn(
                name: "NextTimerCheckAt",
                table: "Conversations");

            migrationBuilder.DropColumn(
                name: "RoutedAt",
                table: "Conversations");
        }
    }
}
