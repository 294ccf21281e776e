namespace Parley.WorkspaceBench;

/// <summary>How long a page takes to show its content: navigation start to the page's own
/// <c>parley:&lt;name&gt;</c> mark, which it sets on the frame after its content is in the document.</summary>
public static class PageTimings
{
    public sealed record Result(double First, Percentiles Warm);

    /// <param name="url">The address of load number i (loads 0..count; load 0 is the first, with nothing cached but the sign-in page).</param>
    public static async Task<Result> MeasureAsync(IPage page, string mark, int count, Func<int, string> url)
    {
        var first = await LoadAsync(page, mark, url(0));
        var warm = new List<double>();
        for (var i = 1; i <= count; i++) warm.Add(await LoadAsync(page, mark, url(i)));
        return new Result(first, new Percentiles(warm));
    }

    private static async Task<double> LoadAsync(IPage page, string mark, string url)
    {
        await page.GotoAsync(url);
        var name = $"parley:{mark}";
        await page.WaitForFunctionAsync($"() => performance.getEntriesByName('{name}').length > 0", null, new() { Timeout = 30_000 });
        return await page.EvaluateAsync<double>($"() => performance.getEntriesByName('{name}')[0].startTime");
    }

    /// <summary>Signs in through the form, as a person would.</summary>
    public static async Task SignInAsync(IPage page, Uri server, string email, string password)
    {
        await page.GotoAsync(new Uri(server, "/sign-in").ToString());
        await page.GetByLabel("E-mail").FillAsync(email);
        await page.GetByLabel("Password").FillAsync(password);
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync();
        await page.WaitForURLAsync(u => !u.Contains("/sign-in", StringComparison.Ordinal));
    }
}
