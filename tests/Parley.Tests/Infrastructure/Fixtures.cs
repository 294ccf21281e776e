using System.Text.Json;

namespace Parley.Tests.Infrastructure;

/// <summary>Reads the captured third-party payloads copied under Fixtures/.</summary>
public static class Fixtures
{
    public static string Root => Path.Combine(AppContext.BaseDirectory, "Fixtures");

    public static string PathOf(string relative) => Path.Combine(Root, relative);

    public static byte[] Bytes(string relative) => File.ReadAllBytes(PathOf(relative));

    public static JsonElement Json(string relative) => JsonDocument.Parse(File.ReadAllText(PathOf(relative))).RootElement.Clone();

    /// <summary>The five Zammad captures: their byte-exact bodies (as X sent them) and signatures.</summary>
    public static IEnumerable<(string Name, byte[] Body, string Signature)> ZammadXWebhooks()
    {
        var vectors = Json("signature-vectors/vectors.json").GetProperty("x_account_activity_post_signature");
        foreach (var v in vectors.EnumerateArray())
        {
            var file = v.GetProperty("raw_body_file").GetString()!;
            yield return (Path.GetFileName(file).Replace(".body.json", "", StringComparison.Ordinal),
                Bytes(Path.Combine("signature-vectors", file)), v.GetProperty("expected").GetString()!);
        }
    }
}
