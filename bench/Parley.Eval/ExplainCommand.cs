using System.Text.Json;
using Parley.Triage;

namespace Parley.Eval;

/// <summary>`explain --text "..."`: every signal and the priority for one post, as JSON, to see why.</summary>
internal static class ExplainCommand
{
    private static readonly JsonSerializerOptions Indented = new() { WriteIndented = true, Converters = { new System.Text.Json.Serialization.JsonStringEnumConverter() } };

    public static int Run(Args args)
    {
        var input = Report.Input(args.Require("text")) with { AuthorFollowers = args.Get("followers", 0) };
        var triage = PostTriage.Analyze(input, TriageRules.Default);
        var priority = Priority.Score(triage, new CustomerContext { Followers = input.AuthorFollowers }, PriorityWeights.Default);
        Console.WriteLine(JsonSerializer.Serialize(new { triage, priority }, Indented));
        return 0;
    }
}
