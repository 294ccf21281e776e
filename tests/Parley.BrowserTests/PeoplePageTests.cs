using Parley.BrowserTests.Infrastructure;

namespace Parley.BrowserTests;

/// <summary>Admins manage people from the workspace; everyone else only reads the list.</summary>
public sealed class PeoplePageTests(Chromium chromium)
{
    [Fact]
    public async Task An_admin_adds_a_person_who_can_then_sign_in_and_an_agent_cannot_change_anyone()
    {
        chromium.Require();
        await using var parley = await BrowserParley.StartAsync();
        var care = await parley.CreateTeamAsync("Care");
        var ada = await parley.CreatePersonAsync("Ada Admin", "ada@parley.example", "admin");

        await using var context = await chromium.NewContextAsync(parley);
        var page = await context.NewPageAsync();
        await BrowserParley.SignInAsync(page, ada, "/people");
        var form = page.GetByRole(AriaRole.Form, new() { Name = "Add a person" });
        await form.GetByLabel("Name").FillAsync("Nina Novak");
        // A colleague's change reloads the list while Ada types; what she typed stays.
        await parley.CreatePersonAsync("Ola Other", "ola@parley.example", "agent");
        await Assertions.Expect(page.Locator("table.people")).ToContainTextAsync("ola@parley.example");
        await Assertions.Expect(form.GetByLabel("Name")).ToHaveValueAsync("Nina Novak");
        await form.GetByLabel("E-mail").FillAsync("nina@parley.example");
        await form.GetByLabel("Teams").SelectOptionAsync(new SelectOptionValue { Label = "Care" });
        await form.GetByRole(AriaRole.Button, new() { Name = "Add person" }).ClickAsync();
        var result = page.Locator(".add-person .result");
        await Assertions.Expect(result).ToContainTextAsync("Their password (shown once):");
        var password = (await result.TextContentAsync())!.Split(": ")[^1].Trim();
        await Assertions.Expect(page.Locator("table.people")).ToContainTextAsync("nina@parley.example");

        await using var ninaContext = await chromium.NewContextAsync(parley);
        var nina = await ninaContext.NewPageAsync();
        await nina.GotoAsync("/people");
        await nina.GetByLabel("E-mail").FillAsync("nina@parley.example");
        await nina.GetByLabel("Password").FillAsync(password);
        await nina.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync();
        await Assertions.Expect(nina.GetByRole(AriaRole.Heading, new() { Name = "People", Level = 1 })).ToBeVisibleAsync();
        await Assertions.Expect(nina.GetByText("Only admins can change people and teams.")).ToBeVisibleAsync();
        await Assertions.Expect(nina.GetByRole(AriaRole.Button, new() { Name = "Add person" })).ToHaveCountAsync(0);
        _ = care;
        chromium.AssertNoScriptErrors();
    }
}
