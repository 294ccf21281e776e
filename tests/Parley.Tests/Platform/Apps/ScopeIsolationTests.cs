using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Parley.Tests.Infrastructure;
using Parley.Tests.Web;

namespace Parley.Tests.Platform.Apps;

/// <summary>Walks every /api/v1 operation in the OpenAPI document, so an endpoint added tomorrow is covered
/// without anyone remembering to: each must declare a scope, refuse a key without it (403 naming it), and,
/// when it takes the id of something a brand owns, refuse a key of another brand with 404 (docs/adr/0014:
/// 404, so a key cannot even learn that another brand's conversation exists).</summary>
public sealed class ScopeIsolationTests
{
    private static readonly string[] NonAdminScopes =
        ["conversations:read", "conversations:write", "messages:send", "contacts:read", "contacts:write", "events:read", "knowledge:write"];

    /// <summary>Operations that take a brand-owned id but answer an app the same whatever the brand, with why.</summary>
    private static readonly Dictionary<string, (HttpStatusCode Status, string Why)> BrandExceptions = new()
    {
        ["POST /api/v1/conversations/{id}/take"] = (HttpStatusCode.BadRequest, "People only: apps are refused before any lookup (they assign instead)."),
        ["POST /api/v1/presence/{conversationId}/typing"] = (HttpStatusCode.NotFound, "People only: apps get 404 'Only for people' before any lookup."),
        ["POST /api/v1/conversations/{id}/replies/{messageId}/approve"] = (HttpStatusCode.Forbidden, "People only: an app cannot approve replies (docs/adr/0017)."),
        ["POST /api/v1/conversations/{id}/replies/{messageId}/reject"] = (HttpStatusCode.Forbidden, "People only: an app cannot reject replies (docs/adr/0017)."),
        ["GET /api/v1/events/schema/{type}"] = (HttpStatusCode.OK, "The event catalogue is the same for every brand: it holds no brand's data."),
    };

    /// <summary>Valid bodies, so that a refusal is about the brand and not about the input.</summary>
    private static readonly Dictionary<string, object> Bodies = new()
    {
        ["POST /api/v1/conversations/{id}/replies"] = new { text = "We are on it." },
        ["POST /api/v1/conversations/{id}/notes"] = new { text = "Parcel re-sent, arrives Tuesday." },
        ["POST /api/v1/conversations/{id}/assign"] = new { teamId = (Guid?)null, assigneeId = (Guid?)null },
        ["POST /api/v1/conversations/{id}/snooze"] = new { until = DateTimeOffset.UtcNow.AddDays(1) },
        ["PUT /api/v1/contacts/{id}/facts"] = new { value = 100, facts = new { plan = "gold" } },
        ["POST /api/v1/presence/{conversationId}/typing"] = new { typing = true },
        ["POST /api/v1/conversations/{id}/tags"] = new { tags = new[] { "vip" } },
        ["POST /api/v1/conversations/{id}/replies/{messageId}/reject"] = new { reason = "Not what we say." },
        ["PUT /api/v1/knowledge/{id}"] = new { title = "Late parcels", body = "Offer a re-send." },
    };

    private sealed record Operation(string Method, string Path, string Scope, IReadOnlyList<(string Name, string Type)> Parameters)
    {
        public string Name => $"{Method} {Path}";
    }

    private static async Task<List<Operation>> OperationsAsync(TestParley parley)
    {
        var doc = JsonDocument.Parse(await parley.AnonymousClient().GetStringAsync("/openapi/v1.json")).RootElement;
        var operations = new List<Operation>();
        foreach (var path in doc.GetProperty("paths").EnumerateObject().Where(p => p.Name.StartsWith("/api/v1/", StringComparison.Ordinal)))
        {
            foreach (var op in path.Value.EnumerateObject().Where(o => o.Name is "get" or "post" or "put" or "patch" or "delete"))
            {
                Assert.True(op.Value.TryGetProperty("x-parley-scope", out var scope), $"{op.Name.ToUpperInvariant()} {path.Name} declares no scope");
                var parameters = op.Value.TryGetProperty("parameters", out var ps)
                    ? ps.EnumerateArray().Where(p => p.GetProperty("in").GetString() == "path")
                        .Select(p => (p.GetProperty("name").GetString()!, p.GetProperty("schema").TryGetProperty("type", out var t) ? t.GetString() ?? "string" : "string")).ToList()
                    : [];
                operations.Add(new Operation(op.Name.ToUpperInvariant(), path.Name, scope.GetString()!, parameters));
            }
        }
        return operations;
    }

    private static async Task<HttpResponseMessage> SendAsync(HttpClient client, Operation op, Func<string, string, string> valueOf)
    {
        var path = op.Parameters.Aggregate(op.Path, (p, parameter) => p.Replace("{" + parameter.Name + "}", valueOf(parameter.Name, parameter.Type), StringComparison.Ordinal));
        using var request = new HttpRequestMessage(new HttpMethod(op.Method), path);
        if (op.Method != "GET" && op.Method != "DELETE") request.Content = JsonContent.Create(Bodies.GetValueOrDefault(op.Name) ?? new { });
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        // Streams answer with headers first; the status is all this test needs.
        return await client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, timeout.Token);
    }

    [Fact]
    public async Task Every_operation_refuses_a_key_without_its_scope_with_403_naming_the_scope()
    {
        await using var parley = await TestParley.StartAsync();
        var owner = await AppKeys.OwnerAsync(parley);
        var operations = await OperationsAsync(parley);
        Assert.True(operations.Count > 50, $"Only {operations.Count} operations found in the document");
        Assert.Contains(operations, o => o.Scope == "admin");
        Assert.Contains(operations, o => o.Scope == "messages:send");

        var keys = new Dictionary<string, HttpClient>();
        foreach (var scope in operations.Select(o => o.Scope).Distinct())
        {
            // Everything an app can hold except what this operation needs (and admin, which covers it).
            var app = await AppKeys.CreateAsync(parley, owner, NonAdminScopes.Where(s => s != scope).ToArray(), name: "without " + scope);
            keys[scope] = AppKeys.ClientFor(parley, app.Key);
        }

        var failures = new List<string>();
        foreach (var op in operations)
        {
            using var response = await SendAsync(keys[op.Scope], op, (_, type) => type == "integer" ? "1" : Guid.NewGuid().ToString());
            var text = response.StatusCode == HttpStatusCode.Forbidden ? await response.Content.ReadAsStringAsync() : "";
            if (response.StatusCode != HttpStatusCode.Forbidden)
                failures.Add($"{op.Name} (needs {op.Scope}) answered {(int)response.StatusCode}");
            else if (JsonDocument.Parse(text).RootElement.GetProperty("requiredScope").GetString() != op.Scope)
                failures.Add($"{op.Name} named the wrong scope: {text}");
        }
        foreach (var client in keys.Values) client.Dispose();
        Assert.True(failures.Count == 0, string.Join("\n", failures));
    }

    [Fact]
    public async Task Every_operation_on_a_brands_conversation_or_contact_answers_another_brands_key_with_404()
    {
        await using var parley = await TestParley.StartAsync();
        var w = await Workspace.CreateAsync(parley);
        var otherBrand = await parley.CreateBrandAsync("Other");
        var otherChannel = await parley.CreateXChannelAsync(accountId: "123", brandId: otherBrand);
        var theirs = await w.CustomerTweetsAsync("my order never came", "7", "gus", channel: otherChannel);
        var (contact, message) = await parley.WithDbAsync(db => Task.FromResult((
            db.Conversations.Where(c => c.Id == theirs).Select(c => c.ContactId).Single(),
            db.Messages.Where(m => m.ConversationId == theirs).Select(m => m.Id).First())));
        var reply = await parley.Client.PostAsJsonAsync($"/api/v1/conversations/{theirs}/replies", new { text = "Sorry, looking." });
        Assert.True(reply.IsSuccessStatusCode, await reply.Content.ReadAsStringAsync());
        var replyId = await parley.WithDbAsync(db => Task.FromResult(db.Messages.Where(m => m.ConversationId == theirs && m.Id != message).Select(m => m.Id).Single()));
        var owner = await AppKeys.OwnerAsync(parley);
        var ours = await AppKeys.CreateAsync(parley, owner, NonAdminScopes, [w.Brand], name: "Acme billing");
        var theirsKey = await AppKeys.CreateAsync(parley, owner, NonAdminScopes, [otherBrand], name: "Other billing");
        using var wrongBrand = AppKeys.ClientFor(parley, ours.Key);
        using var rightBrand = AppKeys.ClientFor(parley, theirsKey.Key);
        // Apps' own things (docs/adr/0017): a command of the other brand's app, and two of its brand's articles (one to delete).
        Assert.True((await rightBrand.PostAsJsonAsync($"/api/v1/apps/{theirsKey.AppId}/commands", new { name = "track", description = "Where the parcel is." })).IsSuccessStatusCode);
        async Task<Guid> ArticleAsync(string title)
        {
            var created = await rightBrand.PostAsJsonAsync("/api/v1/knowledge", new { brandId = otherBrand, title, body = "Offer a re-send after 5 days." });
            Assert.True(created.IsSuccessStatusCode, await created.Content.ReadAsStringAsync());
            return (await created.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetGuid();
        }
        var article = await ArticleAsync("Late parcels");
        var articleToDelete = await ArticleAsync("Old policy");
        // An app's own webhooks (/apps/me/webhooks): the other app's subscription and delivery, and a second
        // subscription for DELETE, so that deleting does not take the first away from the operations after it.
        var (hook, doomedHook, delivery) = await OwnWebhooksAsync(parley, rightBrand);

        string ValueOf(Operation op, string name) => (op.Path, name) switch
        {
            (var p, "messageId") when p.Contains("/replies/", StringComparison.Ordinal) => replyId.ToString(),
            (_, "messageId") => message.ToString(),
            (_, "conversationId") => theirs.ToString(),
            (var p, "id") when p.StartsWith("/api/v1/conversations/", StringComparison.Ordinal) => theirs.ToString(),
            (var p, "id") when p.StartsWith("/api/v1/contacts/", StringComparison.Ordinal) => contact.ToString(),
            ("/api/v1/apps/me/webhooks/{id}", "id") when op.Method == "DELETE" => doomedHook.ToString(),
            (var p, "id") when p.StartsWith("/api/v1/apps/me/webhooks/", StringComparison.Ordinal) => hook.ToString(),
            (var p, "deliveryId") when p.StartsWith("/api/v1/apps/me/webhooks/", StringComparison.Ordinal) => delivery.ToString(),
            (var p, "id") when p.StartsWith("/api/v1/apps/", StringComparison.Ordinal) => theirsKey.AppId.ToString(),
            (var p, "id") when p.StartsWith("/api/v1/knowledge/", StringComparison.Ordinal) => (op.Method == "DELETE" ? articleToDelete : article).ToString(),
            (_, "tag") => "vip",
            (_, "name") => "track",
            (_, "type") => "conversation.created",
            _ => throw new Xunit.Sdk.XunitException($"{op.Name} takes '{name}', which this test cannot point at another brand's data: add it here, or to the exceptions with a reason."),
        };

        var checkedOps = 0;
        var failures = new List<string>();
        foreach (var op in (await OperationsAsync(parley)).Where(o => o.Scope != "admin" && o.Parameters.Count > 0))
        {
            checkedOps++;
            using var refused = await SendAsync(wrongBrand, op, (name, _) => ValueOf(op, name));
            var expected = BrandExceptions.TryGetValue(op.Name, out var exception) ? exception.Status : HttpStatusCode.NotFound;
            if (refused.StatusCode != expected)
            {
                failures.Add($"{op.Name}: a key of another brand got {(int)refused.StatusCode}, expected {(int)expected}: {await refused.Content.ReadAsStringAsync()}");
                continue;
            }
            if (exception.Why is not null) continue;
            // The same request from the owning brand's key is not refused, so the 404 above was the brand at work.
            using var allowed = await SendAsync(rightBrand, op, (name, _) => ValueOf(op, name));
            if (allowed.StatusCode is HttpStatusCode.NotFound or HttpStatusCode.Forbidden)
                failures.Add($"{op.Name}: the owning brand's key got {(int)allowed.StatusCode}, so the test proves nothing: {await allowed.Content.ReadAsStringAsync()}");
        }
        Assert.True(checkedOps >= 15, $"Only {checkedOps} brand-scoped operations were found");
        Assert.True(failures.Count == 0, string.Join("\n", failures));
    }

    /// <summary>Two subscriptions of the app behind <paramref name="client"/>, and a dead-lettered delivery of the first.</summary>
    private static async Task<(Guid Hook, Guid Doomed, Guid Delivery)> OwnWebhooksAsync(TestParley parley, HttpClient client)
    {
        async Task<Guid> SubscribeAsync()
        {
            var response = await client.PostAsJsonAsync("/api/v1/apps/me/webhooks", new { url = "https://example.com/hooks", events = new[] { "conversation.*" } });
            Assert.True(response.StatusCode == HttpStatusCode.Created, await response.Content.ReadAsStringAsync());
            return (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("subscription").GetProperty("id").GetGuid();
        }
        var (hook, doomed) = (await SubscribeAsync(), await SubscribeAsync());
        var delivery = new Parley.Platform.Webhooks.WebhookDelivery
        {
            SubscriptionId = hook, EventId = Guid.NewGuid(), EventType = "conversation.step", OrderKey = "conversations/x", Body = "{}",
            State = Parley.Platform.Webhooks.DeliveryState.DeadLettered, Attempts = 17, CreatedAt = DateTimeOffset.UtcNow,
        };
        await parley.WithDbAsync(async db => { db.WebhookDeliveries.Add(delivery); return await db.SaveChangesAsync(); });
        return (hook, doomed, delivery.Id);
    }

    [Fact]
    public async Task A_key_limited_to_a_brand_reads_only_that_brands_events()
    {
        await using var parley = await TestParley.StartAsync();
        var w = await Workspace.CreateAsync(parley);
        var otherBrand = await parley.CreateBrandAsync("Other");
        var otherChannel = await parley.CreateXChannelAsync(accountId: "123", brandId: otherBrand);
        var ours = await w.CustomerTweetsAsync("ours", "1", "ana");
        var theirs = await w.CustomerTweetsAsync("theirs", "2", "ben", channel: otherChannel);
        var app = await AppKeys.CreateAsync(parley, await AppKeys.OwnerAsync(parley), ["events:read"], [w.Brand]);
        using var client = AppKeys.ClientFor(parley, app.Key);

        var subjects = new List<string>();
        string? after = null;
        while (true)
        {
            var page = await client.GetFromJsonAsync<JsonElement>("/api/v1/events?limit=3" + (after is null ? "" : "&after=" + after));
            subjects.AddRange(page.GetProperty("items").EnumerateArray().Select(e => e.GetProperty("subject").GetString()!));
            var next = page.GetProperty("nextCursor").GetString();
            if (next == after) break;
            after = next;
        }
        Assert.Contains($"conversations/{ours}", subjects);
        Assert.DoesNotContain($"conversations/{theirs}", subjects);
        Assert.DoesNotContain(subjects, s => s.StartsWith("apps/", StringComparison.Ordinal));
    }
}
