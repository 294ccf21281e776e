using System.Globalization;

namespace Parley.Eval;

/// <summary>"--name value" options after the command word.</summary>
internal sealed class Args(string[] args)
{
    public string Command => args.Length > 0 ? args[0] : "help";

    public string? Get(string name)
    {
        for (var i = 1; i < args.Length - 1; i++)
            if (args[i] == "--" + name) return args[i + 1];
        return null;
    }

    public string Get(string name, string fallback) => Get(name) ?? fallback;
    public int Get(string name, int fallback) => Get(name) is { } v ? int.Parse(v, CultureInfo.InvariantCulture) : fallback;
    public float Get(string name, float fallback) => Get(name) is { } v ? float.Parse(v, CultureInfo.InvariantCulture) : fallback;
    public bool Has(string name) => args.Contains("--" + name);

    public string Require(string name) => Get(name) ?? throw new ArgumentException($"--{name} is required for '{Command}'.");
}
