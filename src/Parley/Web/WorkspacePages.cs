using System.Security.Claims;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using Microsoft.AspNetCore.Antiforgery;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Http.Json;
using Microsoft.Extensions.Options;
using Parley.Conversations;
using Parley.Data;
using Parley.Platform.People;

namespace Parley.Web;

/// <summary>The workspace's pages. Each is a small server-rendered shell (header, navigation, the
/// anti-forgery token, who is signed in); the page's script fills it from the JSON API and keeps it
/// live. Sign-in and sign-out are plain forms, so they work before any script runs.</summary>
public static class WorkspacePages
{
    public static void MapWorkspace(this IEndpointRouteBuilder app)
    {
        var pages = app.MapGroup("").ExcludeFromDescription();
        pages.MapGet("/sign-in", SignInForm).AllowAnonymous();
        pages.MapPost("/sign-in", SignInAsync).AllowAnonymous().DisableAntiforgery();
        pages.MapPost("/sign-out", (Delegate)SignOutAsync).DisableAntiforgery();

        var person = pages.MapGroup("").RequireAuthorization(Sessions.Policies.Person);
        person.MapGet("/", async (HttpContext http, WebAssets assets, IAntiforgery af, ParleyDb db, LiveFeed feed) =>
            Shell(http, assets, af, "inbox", "Inbox", "inbox.js", data: await FirstInboxPageAsync(http, db, feed)));
        person.MapGet("/conversations/{id:guid}", async (Guid id, HttpContext http, WebAssets assets, IAntiforgery af, ParleyDb db, LiveFeed feed) =>
            Shell(http, assets, af, "conversation", "Conversation", "conversation.js", id.ToString(), await FirstConversationAsync(id, http, db, feed)));
        person.MapGet("/people", (HttpContext http, WebAssets assets, IAntiforgery af) =>
            Shell(http, assets, af, "people", "People", "people.js"));
        person.MapGet("/missed", (HttpContext http, WebAssets assets, IAntiforgery af) =>
            Shell(http, assets, af, "missed", "Missed posts", "missed.js"));
        person.MapGet("/audit", (HttpContext http, WebAssets assets, IAntiforgery af) =>
            Shell(http, assets, af, "audit", "Audit trail", "audit.js"));
        person.MapGet("/settings", () => Results.Redirect("/settings/routing"));
        foreach (var (path, title, script) in SettingsPages)
        {
            person.MapGet("/settings/" + path, (HttpContext http, WebAssets assets, IAntiforgery af) =>
                Shell(http, assets, af, "settings", title, script, path));
        }
    }

    /// <summary>Where leads set how work is handed out and what is promised (admins: service levels too).</summary>
    public static readonly (string Path, string Title, string Script)[] SettingsPages =
    [
        ("routing", "Queues and routing", "settings-routing.js"),
        ("service-levels", "Service levels and business hours", "settings-service-levels.js"),
        ("timers", "Timer rules", "settings-timers.js"),
        ("templates", "Saved replies", "settings-templates.js"),
        ("apps", "Apps and webhooks", "settings-apps.js"),
    ];

    private static IResult SignInForm(HttpContext http, WebAssets assets, IAntiforgery af, string? returnUrl)
    {
        if (http.User.Identity is { IsAuthenticated: true, AuthenticationType: Sessions.CookieScheme })
            return Results.LocalRedirect(SafeReturn(returnUrl));
        return SignInPage(http, assets, af, returnUrl, email: "", error: null, StatusCodes.Status200OK);
    }

    private static async Task<IResult> SignInAsync(HttpContext http, WebAssets assets, IAntiforgery af, SignIn signIn, ParleyDb db, TimeProvider clock)
    {
        var form = await http.Request.ReadFormAsync(http.RequestAborted);
        var returnUrl = form["returnUrl"].ToString();
        var email = form["email"].ToString();
        if (!await af.IsRequestValidAsync(http))
            return SignInPage(http, assets, af, returnUrl, email, "The form had expired. Please sign in again.", StatusCodes.Status400BadRequest);

        var outcome = await signIn.CheckAsync(db, email, form["password"].ToString(), http.RequestAborted);
        switch (outcome)
        {
            case SignIn.Outcome.Success success:
                await http.SignInAsync(Sessions.CookieScheme, Sessions.PrincipalFor(success.User),
                    new AuthenticationProperties { IsPersistent = false, AllowRefresh = true });
                return Results.LocalRedirect(SafeReturn(returnUrl));
            case SignIn.Outcome.LockedOut locked:
                var minutes = Math.Max(1, (int)Math.Ceiling((locked.Until - clock.GetUtcNow()).TotalMinutes));
                return SignInPage(http, assets, af, returnUrl, email,
                    $"Too many failed attempts. This account is locked for {minutes} more minute{(minutes == 1 ? "" : "s")}; an admin can unlock it sooner.",
                    StatusCodes.Status429TooManyRequests);
            default:
                return SignInPage(http, assets, af, returnUrl, email, "That e-mail and password do not match an active account.", StatusCodes.Status401Unauthorized);
        }
    }

    private static async Task<IResult> SignOutAsync(HttpContext http)
    {
        // The anti-forgery check ran in the middleware for signed-in sessions.
        await http.SignOutAsync(Sessions.CookieScheme);
        return Results.Redirect("/sign-in");
    }

    /// <summary>Only paths on this site: an attacker's link cannot bounce a fresh session elsewhere.</summary>
    private static string SafeReturn(string? returnUrl) =>
        returnUrl is { Length: > 0 } r && r.StartsWith('/') && !r.StartsWith("//", StringComparison.Ordinal) && !r.StartsWith("/\\", StringComparison.Ordinal) ? r : "/";

    private static string E(string s) => HtmlEncoder.Default.Encode(s);

    private static IResult SignInPage(HttpContext http, WebAssets assets, IAntiforgery af, string? returnUrl, string email, string? error, int status)
    {
        var tokens = af.GetAndStoreTokens(http);
        var body = new StringBuilder();
        body.Append($"""
            <main id="main" class="signin">
              <h1><span class="logo" aria-hidden="true">P</span> Parley</h1>
              <form method="post" action="/sign-in" class="signin-form" aria-describedby="{(error is null ? "" : "signin-error")}">
                <input type="hidden" name="{E(tokens.FormFieldName)}" value="{E(tokens.RequestToken!)}">
                <input type="hidden" name="returnUrl" value="{E(SafeReturn(returnUrl))}">
            """);
        if (error is not null) body.Append($"""<p id="signin-error" class="form-error" role="alert">{E(error)}</p>""");
        body.Append($"""
                <label for="email">E-mail</label>
                <input id="email" name="email" type="email" autocomplete="username" required autofocus value="{E(email)}">
                <label for="password">Password</label>
                <input id="password" name="password" type="password" autocomplete="current-password" required>
                <button type="submit" class="primary">Sign in</button>
              </form>
            </main>
            """);
        return Html(http, Document("Sign in", assets, "signin", body.ToString(), script: null, meta: ""), status);
    }

    /// <summary>The inbox's first page for the filters in the address, read while the page is made and sent in it,
    /// so the list shows without another round trip (docs/adr/0026); with the live feed's position before the read,
    /// so the page can tell whether anything happened before its live connection started. Null when the
    /// filters are not valid: the script then asks the API and shows its answer.</summary>
    private static async Task<object?> FirstInboxPageAsync(HttpContext http, ParleyDb db, LiveFeed feed)
    {
        var since = feed.Published;
        var viewer = await Viewer.BindAsync(http);
        string? Q(string name) => http.Request.Query[name] is { Count: > 0 } v && v[0] is { Length: > 0 } value ? value : null;
        var result = await Inbox.Handle(db, viewer, Q("status"), Q("state"), Q("channel"), Q("team"), Q("assignee"), Q("q"), ids: null,
            limit: Inbox.FirstPageSize, cursor: null, Q("sort"), Q("removed"), Q("tag"), http.RequestAborted);
        return result.Result is Ok<InboxPage> ok ? new { since, page = ok.Value } : null;
    }

    /// <summary>What the conversation page shows first (the thread, its notes, apps' proposals, tags), read while the
    /// page is made, as its four API requests would; null when the conversation is not there for this person
    /// (the script then asks, and shows "not found").</summary>
    private static async Task<object?> FirstConversationAsync(Guid id, HttpContext http, ParleyDb db, LiveFeed feed)
    {
        var since = feed.Published;
        var viewer = await Viewer.BindAsync(http);
        var ct = http.RequestAborted;
        if ((await GetConversation.Handle(id, db, viewer, ct)).Result is not Ok<ConversationDetail> detail) return null;
        if ((await Notes.ListAsync(id, db, viewer, ct)).Result is not Ok<List<NoteDto>> notes) return null;
        var proposals = (await AppReplies.ListAsync(id, db, viewer, ct)).Result is Ok<List<ReplyProposalDto>> p ? p.Value : [];
        var tags = (await Tags.ListAsync(id, db, viewer, ct)).Result is Ok<List<TagDto>> t ? t.Value : [];
        return new { since, detail = detail.Value, notes = notes.Value, proposals, tags };
    }

    private static IResult Shell(HttpContext http, WebAssets assets, IAntiforgery af, string page, string title, string script, string? subject = null,
        object? data = null)
    {
        var tokens = af.GetAndStoreTokens(http);
        var user = http.User;
        var name = user.Identity?.Name ?? "";
        var role = user.FindFirstValue(ClaimTypes.Role) ?? "agent";
        var id = user.FindFirstValue(ClaimTypes.NameIdentifier) ?? "";
        string Current(string p) => p == page ? " aria-current=\"page\"" : "";
        var body = $"""
            <a class="skip" href="#main">Skip to content</a>
            <header class="topbar">
              <a class="brandmark" href="/"><span class="logo" aria-hidden="true">P</span><span>Parley</span></a>
              <nav aria-label="Workspace">
                <a href="/"{Current("inbox")}>Inbox</a>
                <a href="/missed"{Current("missed")}>Missed posts</a>
                <a href="/people"{Current("people")}>People</a>
                <a href="/settings/routing"{Current("settings")}>Settings</a>
                {(role is "admin" or "auditor" ? $"""<a href="/audit"{Current("audit")}>Audit</a>""" : "")}
              </nav>
              <p id="connection" class="connection" role="status" aria-live="polite"><span class="dot" aria-hidden="true"></span><span class="label">Connecting…</span></p>
              <div class="topbar-end">
                <label class="status-picker" title="Online: new conversations are assigned to you while the workspace is open">
                  <span class="dot" aria-hidden="true"></span><span class="visually-hidden">Your status</span>
                  <select id="my-status" disabled><option value="online">Online</option><option value="away">Away</option><option value="offline">Offline</option></select>
                </label>
                <button type="button" id="notifications-button" class="ghost" aria-haspopup="dialog" aria-controls="notifications">
                  <svg aria-hidden="true" width="18" height="18" viewBox="0 0 24 24" fill="none" stroke="currentColor" stroke-width="2"><path d="M6 8a6 6 0 0 1 12 0c0 7 3 9 3 9H3s3-2 3-9"/><path d="M10.3 21a1.94 1.94 0 0 0 3.4 0"/></svg><span class="visually-hidden">Notifications</span><span id="notification-count" class="count" hidden></span>
                </button>
                <button type="button" id="help-button" class="ghost" aria-haspopup="dialog" aria-controls="shortcuts" title="Keyboard shortcuts (?)"><span aria-hidden="true">?</span><span class="visually-hidden">Keyboard shortcuts</span></button>
                <span class="me" title="{E(user.FindFirstValue(ClaimTypes.Email) ?? "")}">{E(name)} <small>{E(role)}</small></span>
                <form method="post" action="/sign-out" class="signout">
                  <input type="hidden" name="{E(tokens.FormFieldName)}" value="{E(tokens.RequestToken!)}">
                  <button type="submit" class="ghost">Sign out</button>
                </form>
              </div>
            </header>
            <div id="offline-banner" class="offline-banner" role="alert" hidden>Connection lost. Reconnecting… what you see may be out of date.</div>
            <main id="main" tabindex="-1" data-subject="{E(subject ?? "")}">
              <p class="loading" role="status">Loading…</p>
              <noscript><p class="form-error">Parley's workspace needs JavaScript.</p></noscript>
            </main>
            <dialog id="shortcuts" aria-labelledby="shortcuts-title">
              <h2 id="shortcuts-title">Keyboard shortcuts</h2>
              <dl class="shortcuts">
                <div><dt><kbd>j</kbd> / <kbd>k</kbd></dt><dd>Next / previous conversation</dd></div>
                <div><dt><kbd>Enter</kbd></dt><dd>Open the selected conversation</dd></div>
                <div><dt><kbd>r</kbd></dt><dd>Reply</dd></div>
                <div><dt><kbd>e</kbd></dt><dd>Resolve</dd></div>
                <div><dt><kbd>/</kbd></dt><dd>Search</dd></div>
                <div><dt><kbd>Ctrl</kbd> + <kbd>Enter</kbd></dt><dd>Send the reply or note</dd></div>
                <div><dt><kbd>u</kbd> or <kbd>Esc</kbd></dt><dd>Back to the inbox (from a conversation)</dd></div>
                <div><dt><kbd>?</kbd></dt><dd>This list</dd></div>
              </dl>
              <form method="dialog"><button class="primary">Close</button></form>
            </dialog>
            <dialog id="notifications" aria-labelledby="notifications-title">
              <h2 id="notifications-title">Notifications</h2>
              <div class="notification-list"></div>
              <form method="dialog" class="dialog-actions"><button type="button" id="notifications-read" class="ghost">Mark all read</button><button class="primary">Close</button></form>
            </dialog>
            <div id="toasts" class="toasts" aria-live="polite"></div>
            {(data is null ? "" : $"""<script type="application/json" id="first-data">{Json(http, data)}</script>""")}
            """;
        var meta = $"""
            <meta name="csrf-token" content="{E(tokens.RequestToken!)}">
            <meta name="parley-user" content="{E(id)}" data-name="{E(name)}" data-role="{E(role)}">
            """;
        return Html(http, Document(title, assets, page, body, script, meta), StatusCodes.Status200OK);
    }

    /// <summary>Data for the page's script inside the document: a JSON data block is never executed (the CSP allows
    /// it), and '&lt;' is escaped so no string in it can close the element.</summary>
    private static string Json(HttpContext http, object data) =>
        JsonSerializer.Serialize(data, data.GetType(), http.RequestServices.GetRequiredService<IOptions<JsonOptions>>().Value.SerializerOptions)
            .Replace("<", "\\u003c", StringComparison.Ordinal);

    private static string Document(string title, WebAssets assets, string page, string body, string? script, string meta) => $"""
        <!doctype html>
        <html lang="en">
        <head>
        <meta charset="utf-8">
        <meta name="viewport" content="width=device-width, initial-scale=1">
        <title>{E(title)} · Parley</title>
        <link rel="icon" href="data:,">
        <link rel="stylesheet" href="{assets.Url("app.css")}">
        {meta}
        {(script is null ? "" : $"""<script type="module" src="{assets.Url(script)}"></script>""")}
        </head>
        <body data-page="{E(page)}">
        {body}
        </body>
        </html>
        """;

    private static IResult Html(HttpContext http, string html, int status)
    {
        var headers = http.Response.Headers;
        // Customer text is rendered as text by the scripts; this policy is the second line of defence:
        // no inline script, no script from elsewhere, no framing.
        headers.ContentSecurityPolicy = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data: https: http:; " +
            "media-src 'self' https: http:; connect-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'";
        headers.XContentTypeOptions = "nosniff";
        headers["Referrer-Policy"] = "same-origin";
        headers.CacheControl = "no-store";
        return Results.Content(html, "text/html; charset=utf-8", Encoding.UTF8, status);
    }
}
