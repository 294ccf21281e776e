using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.RegularExpressions;
using Parley.Tests.Infrastructure;

namespace Parley.Tests.Web;

/// <summary>A person's browser, reduced to what the server sees: the session and anti-forgery cookies,
/// and the page's anti-forgery token sent back on every change.</summary>
public sealed partial class Session
{
    private readonly Dictionary<string, string> _cookies = [];

    public string? Token { get; private set; }

    private readonly HttpClient _client;

    private Session(TestParley parley)
    {
        _client = parley.AnonymousClient();
    }

    [GeneratedRegex("name=\"__RequestVerificationToken\" value=\"([^\"]+)\"")]
    private static partial Regex FormToken();

    [GeneratedRegex("<meta name=\"csrf-token\" content=\"([^\"]+)\"")]
    private static partial Regex MetaToken();

    /// <summary>Fills in the sign-in form; returns the response to the form post.</summary>
    public static async Task<(Session Session, HttpResponseMessage Response)> TrySignInAsync(TestParley parley, string email, string password)
    {
        var session = new Session(parley);
        var form = await session.SendAsync(new HttpRequestMessage(HttpMethod.Get, "/sign-in"));
        var token = FormToken().Match(await form.Content.ReadAsStringAsync()).Groups[1].Value;
        var post = new HttpRequestMessage(HttpMethod.Post, "/sign-in")
        {
            Content = new FormUrlEncodedContent(new Dictionary<string, string>
            {
                ["__RequestVerificationToken"] = WebUtility.HtmlDecode(token), ["email"] = email, ["password"] = password, ["returnUrl"] = "/",
            }),
        };
        var response = await session.SendAsync(post);
        if (response.StatusCode == HttpStatusCode.Redirect)
        {
            var page = await session.SendAsync(new HttpRequestMessage(HttpMethod.Get, "/"));
            session.Token = WebUtility.HtmlDecode(MetaToken().Match(await page.Content.ReadAsStringAsync()).Groups[1].Value);
        }
        return (session, response);
    }

    public static async Task<Session> SignInAsync(TestParley parley, string email, string password)
    {
        var (session, response) = await TrySignInAsync(parley, email, password);
        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        return session;
    }

    public Task<HttpResponseMessage> GetAsync(string path) => SendAsync(new HttpRequestMessage(HttpMethod.Get, path));

    public async Task<JsonElement> GetJsonAsync(string path)
    {
        var response = await GetAsync(path);
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, $"GET {path} answered {(int)response.StatusCode}: {text}");
        return JsonDocument.Parse(text).RootElement.Clone();
    }

    public Task<HttpResponseMessage> PostAsync(string path, object? body = null, bool withToken = true) =>
        SendAsync(new HttpRequestMessage(HttpMethod.Post, path) { Content = body is null ? null : JsonContent.Create(body) }, withToken);

    public Task<HttpResponseMessage> PatchAsync(string path, object body) =>
        SendAsync(new HttpRequestMessage(HttpMethod.Patch, path) { Content = JsonContent.Create(body) });

    /// <summary>Sends as this browser would; the response is returned as soon as its headers arrive (streams stay open).</summary>
    public async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, bool withToken = true)
    {
        if (_cookies.Count > 0) request.Headers.Add("Cookie", string.Join("; ", _cookies.Select(c => $"{c.Key}={c.Value}")));
        if (withToken && Token is not null && request.Method != HttpMethod.Get) request.Headers.Add("X-CSRF-TOKEN", Token);
        var response = await _client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
        if (response.Headers.TryGetValues("Set-Cookie", out var setCookies))
        {
            foreach (var header in setCookies)
            {
                var pair = header.Split(';')[0].Split('=', 2);
                if (header.Contains("expires=Thu, 01 Jan 1970", StringComparison.OrdinalIgnoreCase)) _cookies.Remove(pair[0]);
                else _cookies[pair[0]] = pair[1];
            }
        }
        return response;
    }
}
