using System.Buffers;
using System.Text;
using Microsoft.Data.Sqlite;
using SQLitePCL;

namespace Parley.Ingest;

/// <summary>Binding values through SQLite's own calls exactly as Microsoft.Data.Sqlite (and so EF Core) binds them,
/// for the two hot writers that bind by position (<see cref="RawDeliveryStore"/>, <see cref="SqliteRowStatement"/>;
/// docs/adr/0033, 0034). Their tests compare every stored column with what EF Core stores.</summary>
internal static class SqliteBind
{
    /// <summary>Upper-case "D" text, as Microsoft.Data.Sqlite stores a GUID on SQLite.</summary>
    public static int Guid(sqlite3_stmt statement, int index, Guid id)
    {
        Span<char> text = stackalloc char[36];
        id.TryFormat(text, out _, "D");
        Span<byte> utf8 = stackalloc byte[36];
        for (var i = 0; i < text.Length; i++) utf8[i] = (byte)(text[i] is >= 'a' and <= 'f' ? text[i] - 'a' + 'A' : text[i]);
        return raw.sqlite3_bind_text(statement, index, utf8);
    }

    /// <summary>UTF-8 as Microsoft.Data.Sqlite encodes it (<see cref="Encoding.UTF8"/>, so a lone surrogate becomes
    /// U+FFFD there and here), with its length, so a NUL character is stored as it is there too.</summary>
    public static int Text(sqlite3_stmt statement, int index, ReadOnlySpan<char> text)
    {
        var most = Encoding.UTF8.GetMaxByteCount(text.Length);
        byte[]? rented = null;
        var utf8 = most <= 1024 ? stackalloc byte[1024] : (rented = ArrayPool<byte>.Shared.Rent(most));
        try
        {
            var length = Encoding.UTF8.GetBytes(text, utf8);
            // SQLite copies the text (SQLITE_TRANSIENT), so the buffer may be reused at once.
            return raw.sqlite3_bind_text(statement, index, utf8[..length]);
        }
        finally
        {
            if (rented is not null) ArrayPool<byte>.Shared.Return(rented);
        }
    }

    /// <summary>Runs a statement that returns no rows, throwing SQLite's error if it fails.</summary>
    public static void Step(sqlite3_stmt statement, sqlite3 db)
    {
        var rc = raw.sqlite3_step(statement);
        if (rc != raw.SQLITE_DONE) Check(rc, db);
    }

    /// <summary>Inserts a raw delivery's body (<c>INSERT INTO "InboundBodies" ("Id", "Body") VALUES (?1, ?2)</c>, docs/adr/0036)
    /// through the prepared <paramref name="insertBody"/>, which is reset for its next use whatever happens.</summary>
    public static void InsertBody(sqlite3_stmt insertBody, sqlite3 db, long id, byte[] body)
    {
        try
        {
            Check(raw.sqlite3_bind_int64(insertBody, 1, id), db);
            Check(body.Length == 0 ? raw.sqlite3_bind_zeroblob(insertBody, 2, 0) : raw.sqlite3_bind_blob(insertBody, 2, body), db);
            Step(insertBody, db);
        }
        finally
        {
            raw.sqlite3_reset(insertBody);
            raw.sqlite3_clear_bindings(insertBody);
        }
    }

    /// <summary>Throws SQLite's error as Microsoft.Data.Sqlite would when <paramref name="rc"/> is not a success.</summary>
    public static void Check(int rc, sqlite3 db) => SqliteException.ThrowExceptionForRC(rc, db);
}
