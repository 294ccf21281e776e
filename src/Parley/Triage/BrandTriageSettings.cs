using System.Collections.Concurrent;
using System.Runtime.CompilerServices;
using System.Text.Json;
using System.Text.Json.Serialization;
using Microsoft.EntityFrameworkCore;
using Parley.Data;

namespace Parley.Triage;

/// <summary>A brand's triage: the priority weights, its topics, which posts its rules take out of the inbox,
/// and the patience window. Immutable; the API replaces it whole.</summary>
public sealed record BrandTriageSettings
{
    public static BrandTriageSettings Default { get; } = new();

    public PriorityWeights Weights { get; init; } = PriorityWeights.Default;
    public IReadOnlyList<TopicRule> Topics { get; init; } = [];
    public RemovalRules Removal { get; init; } = new();
    /// <summary>A bare "thanks!" within <see cref="AcknowledgementWindow"/> of a resolution leaves the
    /// conversation resolved instead of reopening it.</summary>
    public bool AcknowledgementsKeepResolved { get; init; } = true;
    /// <summary>How long after a resolution or a reply a bare acknowledgement needs no answer.</summary>
    public TimeSpan AcknowledgementWindow { get; init; } = TimeSpan.FromDays(3);
    /// <summary>How long to wait after a customer's message for the next one before the conversation counts as ready.</summary>
    public TimeSpan PatienceWindow { get; init; } = BurstPolicy.Default.Window;
    /// <summary>The longest a customer who keeps writing holds the conversation back.</summary>
    public TimeSpan PatienceMaxHold { get; init; } = BurstPolicy.Default.MaxHold;

    [JsonIgnore]
    public BurstPolicy Patience => new(PatienceWindow, PatienceMaxHold);

    /// <summary>One instance per settings instance: the core caches compiled matchers per rules instance. (Kept
    /// outside the record: a `with` copy must not inherit the rules of the settings it was copied from.)</summary>
    [JsonIgnore]
    public TriageRules Rules => RulesOf.GetValue(this, s => new TriageRules { Topics = s.Topics, Removal = s.Removal, AcknowledgementWindow = s.AcknowledgementWindow });
    private static readonly ConditionalWeakTable<BrandTriageSettings, TriageRules> RulesOf = [];

    public const int MaxTopics = 100;
    public const int MaxTermsPerList = 200;
    public const int MaxTermLength = 100;

    /// <summary>Everything wrong with these settings, by field; empty when they can be saved.</summary>
    public Dictionary<string, string[]> Problems()
    {
        var errors = new Dictionary<string, string[]>();
        void Add(string field, string message) =>
            errors[field] = errors.TryGetValue(field, out var existing) ? [.. existing, message] : [message];

        if (Weights is null) Add("weights", "'weights' is an object; omit it for the defaults.");
        else
        {
            foreach (var property in typeof(PriorityWeights).GetProperties().Where(p => p.PropertyType == typeof(int)))
            {
                var value = (int)property.GetValue(Weights)!;
                if (value is < -100 or > 100) Add($"weights.{JsonNamingPolicy.CamelCase.ConvertName(property.Name)}", "Weights are points between -100 and 100.");
            }
            if (Weights.HighValueFrom < 0) Add("weights.highValueFrom", "'highValueFrom' is zero or more.");
        }
        if (Topics is null) Add("topics", "'topics' is a list; omit it for none.");
        else
        {
            if (Topics.Count > MaxTopics) Add("topics", $"At most {MaxTopics} topics.");
            for (var i = 0; i < Topics.Count; i++)
            {
                var t = Topics[i];
                if (t is null) { Add($"topics[{i}]", "A topic is an object with a name and keywords."); continue; }
                if (string.IsNullOrWhiteSpace(t.Name) || t.Name.Length > 100) Add($"topics[{i}].name", "A topic needs a name of 1 to 100 characters.");
                else if (Topics.Take(i).Any(o => o is not null && string.Equals(o.Name?.Trim(), t.Name.Trim(), StringComparison.OrdinalIgnoreCase)))
                    Add($"topics[{i}].name", $"The topic name '{t.Name}' is used twice.");
                var keywords = t.Keywords ?? [];
                var examples = t.Examples ?? [];
                if (keywords.Count == 0 && examples.Count == 0) Add($"topics[{i}]", "A topic needs at least one keyword or example.");
                CheckTerms($"topics[{i}].keywords", keywords, MaxTermLength);
                CheckTerms($"topics[{i}].examples", examples, 500);
                if (t.PriorityBoost is < -100 or > 100) Add($"topics[{i}].priorityBoost", "'priorityBoost' is between -100 and 100.");
            }
        }
        if (Removal is null) Add("removal", "'removal' is an object; omit it for the defaults.");
        else
        {
            if (float.IsNaN(Removal.AbuseThreshold) || Removal.AbuseThreshold is <= 0 or > 1)
                Add("removal.abuseThreshold", "'abuseThreshold' is a probability above 0 and at most 1.");
            CheckTerms("removal.blockedTerms", Removal.BlockedTerms, MaxTermLength);
            CheckTerms("removal.spamTerms", Removal.SpamTerms, MaxTermLength);
        }
        if (AcknowledgementWindow < TimeSpan.Zero || AcknowledgementWindow > TimeSpan.FromDays(30))
            Add("acknowledgementWindow", "'acknowledgementWindow' is between 00:00:00 and 30.00:00:00.");
        if (PatienceWindow < TimeSpan.Zero || PatienceWindow > TimeSpan.FromMinutes(10))
            Add("patienceWindow", "'patienceWindow' is between 00:00:00 and 00:10:00.");
        if (PatienceMaxHold < PatienceWindow || PatienceMaxHold > TimeSpan.FromMinutes(30))
            Add("patienceMaxHold", "'patienceMaxHold' is at least 'patienceWindow' and at most 00:30:00.");
        return errors;

        void CheckTerms(string field, IReadOnlyList<string>? terms, int maxLength)
        {
            if (terms is null) { Add(field, "A list of words or phrases."); return; }
            if (terms.Count > MaxTermsPerList) Add(field, $"At most {MaxTermsPerList} entries.");
            if (terms.Any(x => string.IsNullOrWhiteSpace(x) || x.Length > maxLength)) Add(field, $"Each entry has 1 to {maxLength} characters.");
        }
    }

    /// <summary>Strict reading for the API: a misspelt field is an error, not a silently ignored one.</summary>
    public static readonly JsonSerializerOptions ApiJson = new(JsonSerializerDefaults.Web)
    {
        UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow,
        Converters = { new JsonStringEnumConverter(JsonNamingPolicy.CamelCase) },
    };

    /// <summary>How settings are stored: the same shape, leniently read back.</summary>
    private static readonly JsonSerializerOptions StoredJson = new(JsonSerializerDefaults.Web);

    public string ToJson() => JsonSerializer.Serialize(this, StoredJson);

    public static BrandTriageSettings FromJson(string json) => JsonSerializer.Deserialize<BrandTriageSettings>(json, StoredJson) ?? Default;
}

/// <summary>A brand's triage settings as stored: one row per brand that changed the defaults. The version
/// goes up with each change; conversations remember the version they were triaged with, so the ones to
/// recompute are those below it.</summary>
public sealed class TriageSettingsRecord
{
    /// <summary>The version of a brand that never changed its settings (conversations start at 0, so a fresh
    /// installation or an upgrade triages every open conversation once).</summary>
    public const int DefaultVersion = 1;

    public Guid BrandId { get; init; }
    public int Version { get; set; }
    public string Settings { get; set; } = "{}";
    public DateTimeOffset UpdatedAt { get; set; }
    public string UpdatedBy { get; set; } = "";
}

/// <summary>Brands' settings by version, parsed once per process, so that every post of a brand is analysed
/// with the same <see cref="TriageRules"/> instance and its compiled matchers.</summary>
public static class BrandTriageCache
{
    private static readonly ConcurrentDictionary<(Guid Brand, int Version), BrandTriageSettings> Parsed = new();

    public static async Task<(BrandTriageSettings Settings, int Version)> LoadAsync(ParleyDb db, Guid brandId, CancellationToken ct)
    {
        // A plain command: the processor reads this once a batch, and EF Core's pipeline cost more than the read (docs/adr/0046).
        await using var command = await Parley.Ingest.PlainCommand.OpenAsync(db, ct);
        var sql = "SELECT \"Version\", \"Settings\" FROM \"TriageSettings\" WHERE \"BrandId\" = "
            + $"{command.Value<TriageSettingsRecord>(nameof(TriageSettingsRecord.BrandId), brandId)} LIMIT 1";
        int version;
        string settings;
        await using (var reader = await command.ReadAsync(sql, ct))
        {
            if (!await reader.ReadAsync(ct)) return (BrandTriageSettings.Default, TriageSettingsRecord.DefaultVersion);
            version = reader.GetInt32(0);
            settings = reader.GetString(1);
        }
        return (Parsed.GetOrAdd((brandId, version), _ => BrandTriageSettings.FromJson(settings)), version);
    }
}
