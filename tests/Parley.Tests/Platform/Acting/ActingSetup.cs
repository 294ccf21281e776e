using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Parley.Tests.Infrastructure;
using Parley.Tests.Platform.Apps;
using Parley.Tests.Web;

namespace Parley.Tests.Platform.Acting;

/// <summary>A brand with a customer's conversation, an admin person signed in, and helpers to act as an app.</summary>
public sealed class ActingSetup
{
    public required TestParley Parley { get; init; }
    public required Workspace Workspace { get; init; }
    public required Guid Conversation { get; init; }
    public required Session Agent { get; init; }
    public required Guid Owner { get; init; }

    public static async Task<ActingSetup> StartAsync(TestParley parley, string apiBaseUrl = "http://127.0.0.1:9")
    {
        var w = await Workspace.CreateAsync(parley, apiBaseUrl);
        var conversation = await w.CustomerTweetsAsync("where is my parcel?", "42", "dana");
        await w.PersonAsync("Ann Agent", "ann@example.com", "admin");
        var agent = await w.SignInAsync("ann@example.com");
        var owner = await AppKeys.OwnerAsync(parley);
        return new ActingSetup { Parley = parley, Workspace = w, Conversation = conversation, Agent = agent, Owner = owner };
    }

    public async Task<(AppKeys.Registered App, HttpClient Client)> AppAsync(string name, params string[] scopes)
    {
        var app = await AppKeys.CreateAsync(Parley, Owner, scopes, [Workspace.Brand], name: name);
        return (app, AppKeys.ClientFor(Parley, app.Key));
    }

    public static async Task<JsonElement> OkJsonAsync(HttpResponseMessage response, HttpStatusCode expected)
    {
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == expected, $"{(int)response.StatusCode} instead of {(int)expected}: {text}");
        return text.Length == 0 ? default : JsonDocument.Parse(text).RootElement.Clone();
    }

    /// <summary>The events of a type about this conversation, oldest first.</summary>
    public async Task<List<JsonElement>> EventsAsync(string type) =>
        (await Parley.AllEventsAsync()).Where(e => e.GetProperty("type").GetString() == type
            && e.GetProperty("subject").GetString() == $"conversations/{Conversation}").ToList();
}
