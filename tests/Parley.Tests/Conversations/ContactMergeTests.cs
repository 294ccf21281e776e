using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Parley.Tests.Infrastructure;
using Parley.Tests.Platform.Apps;
using Parley.Tests.Web;

namespace Parley.Tests.Conversations;

/// <summary>Two contacts that are one customer become one: identities and conversations move, once.</summary>
public sealed class ContactMergeTests
{
    private static Task<Guid> ContactOfAsync(TestParley parley, Guid conversation) =>
        parley.WithDbAsync(db => db.Conversations.Where(c => c.Id == conversation).Select(c => c.ContactId).SingleAsync());

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task Merging_moves_identities_and_conversations_to_the_survivor_once_and_logs_contact_merged(string provider)
    {
        await using var parley = await TestParley.StartAsync(provider);
        var w = await Workspace.CreateAsync(parley);
        var onX = await w.CustomerTweetsAsync("refund please", "41", "ana");
        var again = await w.CustomerTweetsAsync("still waiting for my refund", "42", "ana_2nd");
        var (survivor, merged) = (await ContactOfAsync(parley, onX), await ContactOfAsync(parley, again));

        var response = await parley.Client.PostAsJsonAsync($"/api/v1/contacts/{survivor}/merge", new { otherContactId = merged });
        Assert.True(response.IsSuccessStatusCode, await response.Content.ReadAsStringAsync());
        var result = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(2, result.GetProperty("identityIds").GetArrayLength());
        Assert.Equal(new[] { onX, again }.Order(), result.GetProperty("conversationIds").EnumerateArray().Select(c => c.GetGuid()));

        var contact = await parley.GetJsonAsync($"/api/v1/contacts/{survivor}");
        Assert.Equal(2, contact.GetProperty("conversations").GetArrayLength());
        var gone = await parley.Client.GetAsync($"/api/v1/contacts/{merged}");
        Assert.Equal(HttpStatusCode.NotFound, gone.StatusCode);
        Assert.Equal(survivor, (await gone.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("mergedIntoId").GetGuid());

        // Repeating it is answered the same and changes nothing.
        var repeated = await parley.Client.PostAsJsonAsync($"/api/v1/contacts/{survivor}/merge", new { otherContactId = merged });
        Assert.Equal(HttpStatusCode.OK, repeated.StatusCode);
        Assert.Equal(result.GetRawText(), (await repeated.Content.ReadFromJsonAsync<JsonElement>()).GetRawText());
        var events = (await parley.AllEventsAsync()).Where(e => e.GetProperty("type").GetString() == "contact.merged").ToList();
        var logged = Assert.Single(events).GetProperty("data");
        Assert.Equal(merged, logged.GetProperty("mergedContactId").GetGuid());
        Assert.Equal(survivor, logged.GetProperty("contactId").GetGuid());

        // The merged account writing again lands on the survivor.
        var later = await w.CustomerTweetsAsync("hello?", "42", "ana_2nd");
        Assert.Equal(survivor, await ContactOfAsync(parley, later));
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task Merging_needs_both_contacts_visible_in_one_brand_and_a_valid_body(string provider)
    {
        await using var parley = await TestParley.StartAsync(provider);
        var w = await Workspace.CreateAsync(parley);
        var otherBrand = await parley.CreateBrandAsync("Other");
        var otherChannel = await parley.CreateXChannelAsync(accountId: "123", brandId: otherBrand);
        var ours = await ContactOfAsync(parley, await w.CustomerTweetsAsync("ours", "1", "ana"));
        var alsoOurs = await ContactOfAsync(parley, await w.CustomerTweetsAsync("ours too", "2", "bo"));
        var theirs = await ContactOfAsync(parley, await w.CustomerTweetsAsync("theirs", "3", "cy", channel: otherChannel));
        var app = await AppKeys.CreateAsync(parley, await AppKeys.OwnerAsync(parley), ["contacts:read", "contacts:write"], [w.Brand]);
        using var limited = AppKeys.ClientFor(parley, app.Key);

        async Task<HttpStatusCode> MergeAsync(HttpClient client, Guid id, object body) =>
            (await client.PostAsJsonAsync($"/api/v1/contacts/{id}/merge", body)).StatusCode;

        Assert.Equal(HttpStatusCode.NotFound, await MergeAsync(limited, ours, new { otherContactId = theirs }));
        Assert.Equal(HttpStatusCode.NotFound, await MergeAsync(limited, theirs, new { otherContactId = ours }));
        Assert.Equal(HttpStatusCode.NotFound, await MergeAsync(limited, ours, new { otherContactId = Guid.NewGuid() }));
        Assert.Equal(HttpStatusCode.BadRequest, await MergeAsync(limited, ours, new { }));
        Assert.Equal(HttpStatusCode.BadRequest, await MergeAsync(limited, ours, new { otherContactId = ours }));
        Assert.Equal(HttpStatusCode.BadRequest, await MergeAsync(parley.Client, ours, new { otherContactId = theirs }));
        var readOnly = await AppKeys.CreateAsync(parley, await AppKeys.OwnerAsync(parley, "ro@example.com"), ["contacts:read"], [w.Brand], name: "Reader");
        using var reader = AppKeys.ClientFor(parley, readOnly.Key);
        Assert.Equal(HttpStatusCode.Forbidden, await MergeAsync(reader, ours, new { otherContactId = alsoOurs }));
        // Nothing moved by the refusals.
        Assert.Equal(0, await parley.WithDbAsync(db => db.Contacts.CountAsync(c => c.MergedIntoId != null)));

        Assert.Equal(HttpStatusCode.OK, await MergeAsync(limited, ours, new { otherContactId = alsoOurs }));
        Assert.Equal(HttpStatusCode.NotFound, await MergeAsync(limited, alsoOurs, new { otherContactId = ours }));
    }
}
