using System.Net;
using System.Text.Json;
using System.Text.RegularExpressions;
using Json.Schema;
using Parley.Platform.Events;
using Parley.Tests.Infrastructure;
using Parley.Tests.Web;

namespace Parley.Tests.Platform.Events;

/// <summary>The catalogue is the contract apps code against: every type Parley writes is in it, and what is written
/// validates against the schema it publishes.</summary>
public sealed partial class EventCatalogueTests
{
    [Fact]
    public void Every_event_type_the_source_appends_is_in_the_catalogue()
    {
        var src = Path.Combine(RepositoryRoot(), "src", "Parley");
        // Literal types passed to Append, and the conversation.* types the state machine yields.
        var written = Directory.EnumerateFiles(src, "*.cs", SearchOption.AllDirectories)
            .SelectMany(f => WrittenType().Matches(File.ReadAllText(f)))
            .SelectMany(m => m.Groups.Values.Skip(1).Where(g => g.Success).Select(g => g.Value)).ToHashSet();
        Assert.True(written.Count > 40, $"Only {written.Count} types found in the source: the scan is broken.");
        Assert.Contains("conversation.resolved", written);
        Assert.Contains("service_level.breached", written);
        Assert.DoesNotContain(written, t => EventCatalogue.Find(t) is null);
        // Data comes from the catalogue's records, never an anonymous object (Append would refuse it at run time).
        var anonymous = Directory.EnumerateFiles(src, "*.cs", SearchOption.AllDirectories)
            .Where(f => AnonymousData().IsMatch(File.ReadAllText(f))).Select(Path.GetFileName).ToList();
        Assert.Empty(anonymous);
    }

    [Fact]
    public async Task The_catalogue_publishes_each_type_with_description_version_and_schema()
    {
        await using var parley = await TestParley.StartAsync();
        var catalogue = await parley.GetJsonAsync("/api/v1/events/schema");
        var types = catalogue.GetProperty("types").EnumerateArray().ToList();
        Assert.Equal(EventCatalogue.All.Select(t => t.Name), types.Select(t => t.GetProperty("type").GetString()));
        Assert.All(types, t =>
        {
            Assert.False(string.IsNullOrWhiteSpace(t.GetProperty("description").GetString()));
            Assert.True(t.GetProperty("version").GetInt32() >= 1);
            Assert.True(t.GetProperty("dataSchema").TryGetProperty("properties", out _), $"{t.GetProperty("type")} publishes no data properties");
        });
        var resolved = await parley.GetJsonAsync("/api/v1/events/schema/conversation.resolved");
        var actor = resolved.GetProperty("dataSchema").GetProperty("properties").GetProperty("actor").GetProperty("properties");
        Assert.True(actor.TryGetProperty("kind", out _));
        var missing = await parley.Client.GetAsync("/api/v1/events/schema/conversation.teleported");
        Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
        Assert.Equal("application/problem+json", missing.Content.Headers.ContentType?.MediaType);
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task Events_of_a_scenario_are_catalogued_and_validate_against_their_published_schema(string provider)
    {
        await using var parley = await TestParley.StartAsync(provider);
        var w = await Workspace.CreateAsync(parley);
        await EventScenario.RunAsync(w);
        var events = await parley.AllEventsAsync();

        var schemas = new Dictionary<string, JsonSchema>();
        var failures = new List<string>();
        foreach (var e in events)
        {
            var type = e.GetProperty("type").GetString()!;
            if (!schemas.TryGetValue(type, out var schema))
            {
                var published = await parley.Client.GetAsync($"/api/v1/events/schema/{type}");
                Assert.True(published.IsSuccessStatusCode, $"{type} is written but not in the catalogue");
                var body = JsonDocument.Parse(await published.Content.ReadAsStringAsync()).RootElement;
                schema = schemas[type] = JsonSchema.FromText(body.GetProperty("schema").GetRawText());
            }
            var result = schema.Evaluate(e, new EvaluationOptions { OutputFormat = OutputFormat.List });
            if (!result.IsValid)
                failures.Add($"{type}: {e.GetRawText()}\n  " + string.Join("\n  ", (result.Details ?? []).Where(d => d.Errors is { Count: > 0 })
                    .SelectMany(d => d.Errors!.Select(x => $"{d.InstanceLocation}: {x.Value}"))));
        }
        Assert.True(failures.Count == 0, string.Join("\n", failures));
        // The scenario reaches the kinds apps asked for.
        var written = events.Select(e => e.GetProperty("type").GetString()).ToHashSet();
        foreach (var expected in new[] { "conversation.created", "message.received", "note.added", "reply.queued", "conversation.acknowledged",
                     "conversation.assigned", "conversation.resolved", "conversation.reopened", "contact.merged", "contact.facts_changed" })
            Assert.Contains(expected, written);
        Assert.All(events, e => Assert.Equal(1, e.GetProperty("dataVersion").GetInt32()));
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task Conversation_changes_say_who_made_them(string provider)
    {
        await using var parley = await TestParley.StartAsync(provider);
        var w = await Workspace.CreateAsync(parley);
        await EventScenario.RunAsync(w);
        var events = await parley.AllEventsAsync();
        JsonElement Actor(string type) => events.Last(e => e.GetProperty("type").GetString() == type).GetProperty("data").GetProperty("actor");

        // The admin key is an app without an id; the customer's message opened the conversation.
        Assert.Equal("app", Actor("conversation.resolved").GetProperty("kind").GetString());
        Assert.Equal("app", Actor("conversation.assigned").GetProperty("kind").GetString());
        Assert.Equal("app", Actor("conversation.reopened").GetProperty("kind").GetString());
        var merged = Actor("contact.merged");
        Assert.Equal("app", merged.GetProperty("kind").GetString());
    }

    private static string RepositoryRoot()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "Parley.slnx"))) dir = dir.Parent;
        return dir?.FullName ?? throw new InvalidOperationException("The repository root (Parley.slnx) was not found above the test binaries.");
    }

    // Append("type", ...), Append(cond ? "type" : "type", ...), and the state machine's Become(..., "type") and return ["type"].
    [GeneratedRegex("""Append\(\s*"([a-z_]+\.[a-z_.]+)"|\?\s*"([a-z_]+\.[a-z_.]+)"\s*:\s*"([a-z_]+\.[a-z_.]+)"|Become\([^;]*?"([a-z_]+\.[a-z_.]+)"|return \["([a-z_]+\.[a-z_.]+)"\]""")]
    private static partial Regex WrittenType();

    [GeneratedRegex("""\bdb\.Append\([^;]*?new\s*\{""")]
    private static partial Regex AnonymousData();
}
