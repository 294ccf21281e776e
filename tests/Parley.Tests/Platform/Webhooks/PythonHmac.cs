using System.Diagnostics;
using System.Text.Json;

namespace Parley.Tests.Platform.Webhooks;

/// <summary>Checks Parley-Signature headers with Python's hmac module: an implementation that shares no code
/// with Parley's, following docs/webhooks.md.</summary>
public static class PythonHmac
{
    private const string Script = """
        import hashlib, hmac, json, sys
        cases = json.load(sys.stdin)
        bad = 0
        for c in cases:
            pairs = [p.split("=", 1) for p in c["header"].split(",")]
            t = next(v for k, v in pairs if k == "t")
            expected = hmac.new(c["secret"].encode(), (t + "." + c["body"]).encode(), hashlib.sha256).hexdigest()
            # During a secret rotation there are two v1 values; a receiver holding either secret accepts.
            if not any(hmac.compare_digest(expected, v) for k, v in pairs if k == "v1"):
                bad += 1
        print(len(cases) - bad, bad)
        """;

    /// <returns>How many signatures were valid and how many were not.</returns>
    public static async Task<(int Valid, int Invalid)> VerifyAsync(IEnumerable<(string Secret, string Header, string Body)> cases)
    {
        var psi = new ProcessStartInfo("python3", ["-c", Script])
        {
            RedirectStandardInput = true, RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false,
        };
        using var process = Process.Start(psi)!;
        await process.StandardInput.WriteAsync(JsonSerializer.Serialize(cases.Select(c => new { secret = c.Secret, header = c.Header, body = c.Body })));
        process.StandardInput.Close();
        var output = await process.StandardOutput.ReadToEndAsync();
        var error = await process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        Assert.True(process.ExitCode == 0, "python3 failed: " + error);
        var counts = output.Trim().Split(' ');
        return (int.Parse(counts[0], System.Globalization.CultureInfo.InvariantCulture), int.Parse(counts[1], System.Globalization.CultureInfo.InvariantCulture));
    }
}
