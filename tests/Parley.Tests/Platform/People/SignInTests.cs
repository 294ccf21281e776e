using System.Net;
using System.Net.Http.Json;
using Microsoft.EntityFrameworkCore;
using Parley.Tests.Infrastructure;
using Parley.Tests.Web;

namespace Parley.Tests.Platform.People;

public sealed class SignInTests
{
    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task Five_wrong_passwords_lock_the_account_until_an_admin_unlocks_it(string provider)
    {
        await using var parley = await TestParley.StartAsync(provider);
        var workspace = await Workspace.CreateAsync(parley);
        var maria = await workspace.PersonAsync("Maria Lopez", "Maria@Example.com");

        for (var i = 1; i <= 4; i++)
        {
            var (_, wrong) = await Session.TrySignInAsync(parley, "maria@example.com", "not the password");
            Assert.Equal(HttpStatusCode.Unauthorized, wrong.StatusCode);
            Assert.Contains("do not match", await wrong.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        }
        var (_, fifth) = await Session.TrySignInAsync(parley, "maria@example.com", "not the password");
        Assert.Equal(HttpStatusCode.TooManyRequests, fifth.StatusCode);
        // Locked: even the right password is refused, and the answer says why.
        var (_, right) = await Session.TrySignInAsync(parley, "MARIA@example.com", Workspace.Password);
        Assert.Equal(HttpStatusCode.TooManyRequests, right.StatusCode);
        Assert.Contains("locked for 15 more minutes", await right.Content.ReadAsStringAsync(), StringComparison.Ordinal);

        var unlock = await parley.Client.PatchAsJsonAsync($"/api/v1/users/{maria}", new { unlock = true });
        Assert.Equal(HttpStatusCode.OK, unlock.StatusCode);
        var session = await Session.SignInAsync(parley, "maria@example.com", Workspace.Password);
        Assert.Equal("Maria Lopez", (await session.GetJsonAsync("/api/v1/users/me")).GetProperty("name").GetString());
    }

    [Fact]
    public async Task Passwords_are_stored_as_Identity_hashes_and_a_reset_ends_other_sessions()
    {
        await using var parley = await TestParley.StartAsync();
        var workspace = await Workspace.CreateAsync(parley);
        var id = await workspace.PersonAsync("Maria Lopez", "maria@example.com");
        var hash = await parley.WithDbAsync(db => db.Users.Where(u => u.Id == id).Select(u => u.PasswordHash).SingleAsync());
        Assert.DoesNotContain(Workspace.Password, hash, StringComparison.Ordinal);
        Assert.Equal(0x01, Convert.FromBase64String(hash)[0]); // Identity v3 format: PBKDF2 with a salt

        var session = await workspace.SignInAsync("maria@example.com");
        Assert.Equal(HttpStatusCode.OK, (await session.GetAsync("/api/v1/users/me")).StatusCode);
        await parley.Client.PatchAsJsonAsync($"/api/v1/users/{id}", new { password = "a brand new password" });
        await Task.Delay(5_500); // sessions re-check the account at most every 5 seconds
        Assert.Equal(HttpStatusCode.Unauthorized, (await session.GetAsync("/api/v1/users/me")).StatusCode);
    }

    [Fact]
    public async Task A_disabled_person_cannot_sign_in_and_their_session_ends()
    {
        await using var parley = await TestParley.StartAsync();
        var workspace = await Workspace.CreateAsync(parley);
        var id = await workspace.PersonAsync("Maria Lopez", "maria@example.com");
        var session = await workspace.SignInAsync("maria@example.com");

        await parley.Client.PatchAsJsonAsync($"/api/v1/users/{id}", new { disabled = true });
        var (_, refused) = await Session.TrySignInAsync(parley, "maria@example.com", Workspace.Password);
        Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);
        await Task.Delay(5_500);
        var page = await session.GetAsync("/");
        Assert.Equal(HttpStatusCode.Redirect, page.StatusCode);
        Assert.Equal("/sign-in", page.Headers.Location!.AbsolutePath);
    }

    [Fact]
    public async Task Changes_made_with_a_session_need_the_pages_anti_forgery_token()
    {
        await using var parley = await TestParley.StartAsync();
        var workspace = await Workspace.CreateAsync(parley);
        await workspace.PersonAsync("Maria Lopez", "maria@example.com", "agent", await workspace.TeamAsync("Care"));
        var conversation = await workspace.CustomerTweetsAsync("help");
        var session = await workspace.SignInAsync("maria@example.com");

        var forged = await session.PostAsync($"/api/v1/conversations/{conversation}/resolve", withToken: false);
        Assert.Equal(HttpStatusCode.BadRequest, forged.StatusCode);
        Assert.Equal("application/problem+json", forged.Content.Headers.ContentType?.MediaType);
        Assert.Equal("open", (await parley.GetJsonAsync($"/api/v1/conversations/{conversation}")).GetProperty("status").GetString());

        Assert.Equal(HttpStatusCode.OK, (await session.PostAsync($"/api/v1/conversations/{conversation}/resolve")).StatusCode);
        // Applications with an API key need none: browsers never send keys on their own.
        Assert.Equal(HttpStatusCode.OK, (await parley.Client.PostAsync($"/api/v1/conversations/{conversation}/reopen", null)).StatusCode);
    }

    [Fact]
    public async Task Sign_out_needs_the_token_and_ends_the_session()
    {
        await using var parley = await TestParley.StartAsync();
        var workspace = await Workspace.CreateAsync(parley);
        await workspace.PersonAsync("Maria Lopez", "maria@example.com");
        var session = await workspace.SignInAsync("maria@example.com");

        Assert.Equal(HttpStatusCode.BadRequest, (await session.PostAsync("/sign-out", withToken: false)).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await session.GetAsync("/api/v1/users/me")).StatusCode);
        Assert.Equal(HttpStatusCode.Redirect, (await session.PostAsync("/sign-out")).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await session.GetAsync("/api/v1/users/me")).StatusCode);
    }

    [Fact]
    public async Task Sign_in_only_returns_to_pages_of_this_site()
    {
        await using var parley = await TestParley.StartAsync();
        var page = await parley.AnonymousClient().GetStringAsync("/sign-in?returnUrl=https://evil.example/");
        Assert.Contains("name=\"returnUrl\" value=\"/\"", page, StringComparison.Ordinal);
        var local = await parley.AnonymousClient().GetStringAsync("/sign-in?returnUrl=//evil.example/");
        Assert.Contains("name=\"returnUrl\" value=\"/\"", local, StringComparison.Ordinal);
    }
}
