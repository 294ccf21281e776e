using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using Microsoft.AspNetCore.Http.HttpResults;
using Parley.Conversations;
using Parley.Data;
using Parley.Platform.People;

namespace Parley.Platform.Embed;

/// <param name="Url">The card's address, relative to this server, with the token: put it in an iframe.</param>
public sealed record EmbedTokenDto(string Token, string Url, DateTimeOffset ExpiresAt);

/// <summary>The embeddable customer card: minting its token through the API, and the page itself.</summary>
public static class EmbedEndpoints
{
    public static void MapEmbedTokenEndpoint(this IEndpointRouteBuilder api) =>
        api.MapPost("/contacts/{id:guid}/card/embed-token", MintAsync).WithTags("Contacts")
            .WithSummary("A signed token, valid for 10 minutes, for the embeddable card of this customer (/embed/contacts/{id}?token=...), so no API key goes into a URL.");

    public static void MapEmbedPages(this IEndpointRouteBuilder app) =>
        app.MapGet("/embed/contacts/{id:guid}", PageAsync).AllowAnonymous().ExcludeFromDescription();

    private static async Task<Results<Ok<EmbedTokenDto>, ProblemHttpResult>> MintAsync(Guid id, ParleyDb db, Viewer viewer, EmbedTokens tokens, CancellationToken ct)
    {
        var contact = await ContactCard.FindAsync(db, viewer, id, ct);
        if (contact is null) return Problems.NotFound("contact", id);
        // The embedded card shows the brand's whole view of the customer, so only those who have it may hand it out.
        if (!viewer.IsAdmin && !(viewer.Role == UserRole.Lead && viewer.SeesBrand(contact.BrandId)))
            return TypedResults.Problem(statusCode: StatusCodes.Status403Forbidden, title: "Not allowed for your role",
                detail: "The embedded card shows everything the brand knows about the customer; apps, admins and the brand's leads create its links.");
        var minted = tokens.Mint(contact.Id, contact.BrandId);
        return TypedResults.Ok(new EmbedTokenDto(minted.Token, $"/embed/contacts/{contact.Id}?token={Uri.EscapeDataString(minted.Token)}", minted.ExpiresAt));
    }

    private static async Task<IResult> PageAsync(Guid id, string? token, HttpContext http, ParleyDb db, EmbedTokens tokens, TimeProvider clock,
        IConfiguration config, CancellationToken ct)
    {
        var ancestors = FrameAncestors(config);
        switch (tokens.Verify(token, id))
        {
            case EmbedTokens.Check.Missing:
                return EmbedCard.Page(http, ancestors, StatusCodes.Status401Unauthorized, "No token", "This card is shown with a token from POST /api/v1/contacts/{id}/card/embed-token.");
            case EmbedTokens.Check.Invalid:
                return EmbedCard.Page(http, ancestors, StatusCodes.Status401Unauthorized, "Invalid link", "This card link is not valid. Ask the app that shows it for a new one.");
            case EmbedTokens.Check.Expired:
                return EmbedCard.Page(http, ancestors, StatusCodes.Status401Unauthorized, "Link expired", "This card link has expired (they last 10 minutes). Reload the page that shows it.");
            case EmbedTokens.Check.OtherContact:
                return EmbedCard.Page(http, ancestors, StatusCodes.Status403Forbidden, "Another customer", "This link was made for another customer's card.");
            case EmbedTokens.Check.Valid valid:
                // The brand's view of its own customer (the token says which brand); a contact moved or gone is not found.
                var card = await ContactCard.BuildAsync(db, Viewer.Everything("embed"), id, clock.GetUtcNow(), ct);
                if (card is null || card.BrandId != valid.BrandId)
                    return EmbedCard.Page(http, ancestors, StatusCodes.Status404NotFound, "Not found", "This customer is not known here any more.");
                return EmbedCard.Page(http, ancestors, StatusCodes.Status200OK, card.DisplayName, null, card);
            default:
                throw new InvalidOperationException("Unhandled token check.");
        }
    }

    /// <summary><c>Parley:Embed:FrameAncestors</c>: origins (e.g. https://crm.example.com) allowed to frame the card,
    /// as a list or space-separated; none configured means no one may.</summary>
    public static IReadOnlyList<string> FrameAncestors(IConfiguration config)
    {
        var section = config.GetSection("Parley:Embed:FrameAncestors");
        var values = section.Get<string[]>() ?? (section.Value is { } one ? one.Split(' ', StringSplitOptions.RemoveEmptyEntries) : []);
        // Only origins (scheme://host[:port]): anything else could smuggle another directive into the policy.
        return values.Where(v => Uri.TryCreate(v, UriKind.Absolute, out var u) && (u.Scheme == "https" || u.Scheme == "http")
            && u.GetLeftPart(UriPartial.Authority).TrimEnd('/') == v.TrimEnd('/')).Select(v => v.TrimEnd('/')).ToList();
    }
}

/// <summary>The card's HTML: one self-contained page, no script at all, its one stylesheet inline and allowed
/// by hash, every customer-written value encoded.</summary>
public static class EmbedCard
{
    private const string Style = """
        body{font:14px/1.4 system-ui,sans-serif;margin:0;padding:12px;color:#1f2328;background:#fff}
        h1{font-size:16px;margin:0 0 4px}h2{font-size:12px;text-transform:uppercase;color:#59636e;margin:12px 0 4px}
        ul{list-style:none;margin:0;padding:0}li{margin:2px 0}.muted{color:#59636e}.breached{color:#b42318}.warning{color:#9a6700}
        .mood-negative{color:#b42318}.mood-positive{color:#1a7f37}dl{display:grid;grid-template-columns:auto 1fr;gap:2px 8px;margin:0}dt{color:#59636e}dd{margin:0}
        """;

    private static readonly string StyleHash = "'sha256-" + Convert.ToBase64String(SHA256.HashData(Encoding.UTF8.GetBytes(Style))) + "'";

    private static string E(string? s) => HtmlEncoder.Default.Encode(s ?? "");

    public static IResult Page(HttpContext http, IReadOnlyList<string> ancestors, int status, string title, string? message, ContactCardDto? card = null)
    {
        var body = new StringBuilder();
        if (card is null) body.Append($"""<h1>{E(title)}</h1><p class="muted">{E(message)}</p>""");
        else Render(body, card);
        var html = $"""
            <!doctype html>
            <html lang="en"><head><meta charset="utf-8"><meta name="referrer" content="no-referrer">
            <title>{E(title)} · Parley</title><style>{Style}</style></head>
            <body>{body}</body></html>
            """;
        var headers = http.Response.Headers;
        headers.ContentSecurityPolicy = $"default-src 'none'; style-src {StyleHash}; script-src 'none'; img-src 'none'; base-uri 'none'; form-action 'none'; " +
            $"frame-ancestors {(ancestors.Count == 0 ? "'none'" : string.Join(' ', ancestors))}";
        headers.XContentTypeOptions = "nosniff";
        // The URL carries the token: it must not leak to another site through a Referer, or stay in a cache.
        headers["Referrer-Policy"] = "no-referrer";
        headers.CacheControl = "no-store";
        return Results.Content(html, "text/html; charset=utf-8", Encoding.UTF8, status);
    }

    private static void Render(StringBuilder b, ContactCardDto card)
    {
        b.Append($"""<h1>{E(card.DisplayName)}</h1><ul class="identities">""");
        foreach (var i in card.Identities)
            b.Append($"""<li>{E(i.Network)} {(i.Handle is null ? "" : "@" + E(i.Handle))} <span class="muted">{E(i.DisplayName)}{(i.Followers is { } f ? $" · {f.ToString("N0", CultureInfo.InvariantCulture)} followers" : "")}</span></li>""");
        b.Append("</ul>");
        if (card.LastMood is { } mood) b.Append($"""<h2>Last mood</h2><p class="mood-{E(mood.Sentiment)}">{E(mood.Sentiment)}</p>""");
        if (card.PromisesAtRisk.Count > 0)
        {
            b.Append("<h2>Promises at risk</h2><ul>");
            foreach (var p in card.PromisesAtRisk)
                b.Append($"""<li class="{E(p.Urgency)}">{E(Label(p.Clock))} {E(p.Urgency == "breached" ? "overdue" : "due soon")}{(p.DueAt is { } due ? " · due " + E(due.UtcDateTime.ToString("yyyy-MM-dd HH:mm 'UTC'", CultureInfo.InvariantCulture)) : "")}</li>""");
            b.Append("</ul>");
        }
        b.Append($"<h2>Open conversations ({card.OpenConversations.Count})</h2><ul>");
        foreach (var c in card.OpenConversations)
            b.Append($"""<li><span class="muted">{E(c.State.Replace('_', ' '))} · priority {c.Priority}</span> {E(c.Preview)}</li>""");
        b.Append("</ul>");
        if (card.Value is not null || card.Facts is { ValueKind: JsonValueKind.Object })
        {
            b.Append("<h2>From the brand's systems</h2><dl>");
            if (card.Value is { } value) b.Append($"<dt>Value</dt><dd>{E(value.ToString(CultureInfo.InvariantCulture))}</dd>");
            if (card.Facts is { ValueKind: JsonValueKind.Object } facts)
                foreach (var f in facts.EnumerateObject())
                    b.Append($"<dt>{E(f.Name)}</dt><dd>{E(f.Value.ValueKind == JsonValueKind.String ? f.Value.GetString() : f.Value.GetRawText())}</dd>");
            b.Append("</dl>");
        }
    }

    private static string Label(string? clock) => clock switch
    {
        "acknowledge" => "Acknowledge",
        "next_response" => "Next response",
        "resolve" => "Resolve",
        _ => "Promise",
    };
}
