using System.Text;
using Parley.Triage;

namespace Parley.Eval;

/// <summary>`sensitive`: generated valid card numbers and IBANs (fixed seed) must all be found; their
/// invalid twins and the TWCS texts (real customer tweets, already anonymised by their publisher) should
/// give (almost) no matches.</summary>
internal static class SensitiveEval
{
    private static readonly string[] Templates =
    [
        "{0}", "my card {0} was charged twice", "card number: {0}.", "pls refund to {0}!", "({0})", "it's {0}, thanks",
        "@AskAmex charged on {0} again?", "acct {0}\nplease help",
    ];

    public static int Run(Args args)
    {
        var random = new Random(args.Get("seed", 20260101));
        var perKind = args.Get("count", 2000);
        Report.Heading("Sensitive data");
        Console.WriteLine($"Generated with seed {args.Get("seed", 20260101)}: every issuer prefix and length Parley knows, each written plain, " +
            "grouped with spaces and grouped with dashes, inside sentence templates; IBANs for 16 countries, electronic and print format. " +
            "\"Invalid twins\" change the last digit, so the Luhn or mod-97 check fails.\n");
        Console.WriteLine("| test set | values | found (true positives) | missed (false negatives) | invalid twins matched (false positives) |");
        Console.WriteLine("|---|---:|---:|---:|---:|");

        var cards = Enumerable.Range(0, perKind).Select(_ => SensitiveSamples.Card(random)).ToList();
        Row("card numbers", cards.Select(c => SensitiveSamples.Format(c, random)).ToList(), SensitiveKind.CardNumber, random);
        var ibans = Enumerable.Range(0, perKind).Select(_ => SensitiveSamples.Iban(random)).ToList();
        Row("IBANs", ibans.Select(i => random.Next(2) == 0 ? i : SensitiveSamples.PrintFormat(i)).ToList(), SensitiveKind.Iban, random);

        var data = RepoPaths.Data;
        var texts = Datasets.TwcsTexts(Path.Combine(data, "twcs", "twcs_first5000_rows_normalized.csv"))
            .Concat(Datasets.TwcsTexts(Path.Combine(data, "twcs", "sample.csv"))).ToList();
        Console.WriteLine($"\nMatches in {texts.Count:N0} TWCS texts (`twcs_first5000_rows_normalized.csv` and `sample.csv`). The publisher replaced " +
            "phone numbers and e-mail addresses with placeholders, so any card or IBAN match is a false positive; the goal is under 0.1%.\n");
        Console.WriteLine("| kind | texts with a match | share |\n|---|---:|---:|");
        var examples = new List<string>();
        foreach (var kind in Enum.GetValues<SensitiveKind>())
        {
            var hits = texts.Where(t => SensitiveData.Find(t).Has(kind)).ToList();
            Console.WriteLine($"| {kind} | {hits.Count} | {100.0 * hits.Count / texts.Count:0.000}% |");
            examples.AddRange(hits.Take(3).Select(h => $"{kind}: {SensitiveData.MaskSensitive(h).ReplaceLineEndings(" ")}"));
        }
        if (examples.Count > 0)
        {
            Console.WriteLine("\nExamples (as masked):\n");
            foreach (var e in examples) Console.WriteLine($"- `{e.Replace("`", "'", StringComparison.Ordinal)}`");
        }
        return 0;
    }

    private static void Row(string name, List<string> values, SensitiveKind kind, Random random)
    {
        var found = 0;
        var missed = new List<string>();
        var twinsMatched = 0;
        foreach (var value in values)
        {
            var text = string.Format(System.Globalization.CultureInfo.InvariantCulture, Templates[random.Next(Templates.Length)], value);
            var at = text.IndexOf(value, StringComparison.Ordinal);
            if (SensitiveData.Find(text).Matches.Any(m => m.Kind == kind && m.Start == at && m.Length == value.Length)) found++;
            else missed.Add(text);
            if (SensitiveData.Find(text.Replace(value, SensitiveSamples.BreakCheckDigit(value), StringComparison.Ordinal)).Has(kind)) twinsMatched++;
        }
        Console.WriteLine($"| {name} | {values.Count} | {found} | {missed.Count} | {twinsMatched} |");
        foreach (var m in missed.Take(5)) Console.Error.WriteLine($"missed {name}: {m}");
    }
}
