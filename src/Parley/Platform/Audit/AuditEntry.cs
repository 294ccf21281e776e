using Microsoft.EntityFrameworkCore;

namespace Parley.Platform.Audit;

/// <summary>One action by a person or an app, as the audit trail keeps it: who, what, when and from
/// where. Rows are only ever inserted; the database refuses UPDATE and DELETE (see
/// <see cref="AuditModel.AppendOnlySqlite"/>). Request bodies are never stored: ids and names only,
/// so a secret sent in a body (a password, a channel token) cannot end up here.</summary>
public sealed class AuditEntry
{
    /// <summary>Insertion order; the search's cursor.</summary>
    public long Id { get; init; }
    public DateTimeOffset At { get; init; }

    /// <summary>person, app (an app's key), key (a key of no app, e.g. the installation's admin key) or anonymous.</summary>
    public string ActorKind { get; init; } = "";
    /// <summary>The person's or the app's id.</summary>
    public Guid? ActorId { get; init; }
    public string ActorName { get; init; } = "";
    /// <summary>The person's e-mail, or the address typed into a failed sign-in.</summary>
    public string? ActorEmail { get; init; }
    /// <summary>The API key used, when an app or key acted.</summary>
    public Guid? KeyId { get; init; }

    /// <summary>What was done, e.g. "conversations.replies.create", "session.sign_in", "audit.export".</summary>
    public string Action { get; init; } = "";
    public string Method { get; init; } = "";
    /// <summary>The route pattern ("/api/v1/conversations/{id}/replies"), not the path with ids in it.</summary>
    public string Route { get; init; } = "";
    /// <summary>The ids the action was about, as "name=value" pairs separated by spaces.</summary>
    public string Targets { get; init; } = "";
    /// <summary>The HTTP status the action ended with (a refused or failed action is kept too).</summary>
    public int Status { get; init; }
    /// <summary>A few named values that are not secrets (an export's format and range), as compact JSON.</summary>
    public string? Detail { get; init; }

    public string? RemoteIp { get; init; }
    public string? UserAgent { get; init; }

    /// <summary>The brand of what the action was about (<see cref="AuditSubject"/>); null for what is
    /// installation-wide (people, apps, keys, sign-in). Brand-bound auditors and apps see their brands' entries.
    /// Set once, when the entry is written.</summary>
    public Guid? BrandId { get; set; }
}

public static class AuditModel
{
    public const string Table = "AuditEntries";

    public static void ConfigureAudit(this ModelBuilder b) => b.Entity<AuditEntry>(e =>
    {
        e.ToTable(Table);
        e.Property(x => x.ActorKind).HasMaxLength(16);
        e.Property(x => x.ActorName).HasMaxLength(200);
        e.Property(x => x.ActorEmail).HasMaxLength(320);
        e.Property(x => x.Action).HasMaxLength(120);
        e.Property(x => x.Method).HasMaxLength(10);
        e.Property(x => x.Route).HasMaxLength(300);
        e.Property(x => x.Targets).HasMaxLength(1_000);
        e.Property(x => x.Detail).HasMaxLength(2_000);
        e.Property(x => x.RemoteIp).HasMaxLength(64);
        e.Property(x => x.UserAgent).HasMaxLength(500);
        e.HasIndex(x => x.At);
        e.HasIndex(x => new { x.ActorId, x.Id });
        e.HasIndex(x => new { x.Action, x.Id });
        e.HasIndex(x => new { x.BrandId, x.Id });
    });

    /// <summary>Created by the AuditTrail migration, one statement each: SQLite aborts any UPDATE or DELETE of an audit row.</summary>
    public static readonly string[] AppendOnlySqlite =
    [
        """
        CREATE TRIGGER "AuditEntries_no_update" BEFORE UPDATE ON "AuditEntries"
        BEGIN SELECT RAISE(ABORT, 'The audit trail is append-only: entries cannot be changed.'); END;
        """,
        """
        CREATE TRIGGER "AuditEntries_no_delete" BEFORE DELETE ON "AuditEntries"
        BEGIN SELECT RAISE(ABORT, 'The audit trail is append-only: entries cannot be deleted.'); END;
        """,
    ];

    /// <summary>Created by the AuditTrail migration: PostgreSQL raises on UPDATE, DELETE and TRUNCATE of the audit table.</summary>
    public static readonly string[] AppendOnlyPostgres =
    [
        """
        CREATE FUNCTION parley_audit_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
          RAISE EXCEPTION 'The audit trail is append-only: % is refused.', TG_OP USING ERRCODE = 'insufficient_privilege';
        END $$;
        """,
        """
        CREATE TRIGGER "AuditEntries_no_change" BEFORE UPDATE OR DELETE ON "AuditEntries"
          FOR EACH ROW EXECUTE FUNCTION parley_audit_append_only();
        """,
        """
        CREATE TRIGGER "AuditEntries_no_truncate" BEFORE TRUNCATE ON "AuditEntries"
          FOR EACH STATEMENT EXECUTE FUNCTION parley_audit_append_only();
        """,
    ];

    public static readonly string[] DropAppendOnlySqlite =
    [
        """DROP TRIGGER IF EXISTS "AuditEntries_no_update";""",
        """DROP TRIGGER IF EXISTS "AuditEntries_no_delete";""",
    ];

    public static readonly string[] DropAppendOnlyPostgres =
    [
        """DROP TRIGGER IF EXISTS "AuditEntries_no_change" ON "AuditEntries";""",
        """DROP TRIGGER IF EXISTS "AuditEntries_no_truncate" ON "AuditEntries";""",
        """DROP FUNCTION IF EXISTS parley_audit_append_only();""",
    ];
}
