using System.Net;
using System.Text.RegularExpressions;
using Microsoft.Extensions.DependencyInjection;
using Parley.Tests.Infrastructure;
using Parley.Web;

namespace Parley.Tests.Web;

public sealed partial class WebAssetsTests
{
    [GeneratedRegex(@"from '\./([A-Za-z0-9_-]+\.js)\?v=([0-9a-f]{12})'")]
    private static partial Regex VersionedImport();

    /// <summary>A page's script and every module it imports come from the browser's cache on the next load:
    /// each import names its module's version, and versioned URLs are cacheable for good.</summary>
    [Fact]
    public async Task A_page_script_imports_its_modules_by_version()
    {
        await using var parley = await TestParley.StartAsync();
        var assets = parley.App.Services.GetRequiredService<WebAssets>();
        var client = parley.AnonymousClient();

        var page = await client.GetAsync(assets.Url("conversation.js"));
        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        Assert.Equal(TimeSpan.FromDays(365), page.Headers.CacheControl?.MaxAge);
        var script = await page.Content.ReadAsStringAsync();
        Assert.DoesNotContain("from './common.js'", script, StringComparison.Ordinal);
        var imports = VersionedImport().Matches(script);
        Assert.Contains(imports, m => m.Groups[1].Value == "common.js");
        foreach (Match import in imports)
        {
            var url = $"/assets/{import.Groups[1].Value}?v={import.Groups[2].Value}";
            Assert.Equal(assets.Url(import.Groups[1].Value), url);
            var module = await client.GetAsync(url);
            Assert.Equal(HttpStatusCode.OK, module.StatusCode);
            Assert.Equal("text/javascript", module.Content.Headers.ContentType?.MediaType);
            Assert.Equal(TimeSpan.FromDays(365), module.Headers.CacheControl?.MaxAge);
        }

        // Unversioned, a script is revalidated, and unchanged it is not sent again.
        var plain = await client.GetAsync("/assets/common.js");
        Assert.True(plain.Headers.CacheControl?.NoCache);
        var again = new HttpRequestMessage(HttpMethod.Get, "/assets/common.js");
        again.Headers.TryAddWithoutValidation("If-None-Match", plain.Headers.ETag!.ToString());
        Assert.Equal(HttpStatusCode.NotModified, (await client.SendAsync(again)).StatusCode);
    }
}
