namespace Parley.Triage;

/// <summary>Abuse, threats, spam and posts that need no answer. <see cref="Remove"/> applies the brand's
/// removal rules; <see cref="Reasons"/> says why, in words an agent can check.</summary>
public sealed record ModerationResult(float AbuseScore, bool Abusive, bool Threat, bool Spam, bool NoReplyNeeded, bool Remove, IReadOnlyList<string> Reasons)
{
    public static readonly ModerationResult Clean = new(0f, false, false, false, false, false, []);
}

/// <summary>The moderation rules and the abuse model.</summary>
public sealed class Moderation(LinearModel? abuseModel)
{
    private enum Mark { Threat, Spam, Insult }

    private static readonly PhraseMatcher<Mark> Rules = new PhraseMatcher<Mark>()
        .Add(Mark.Threat, 1f, "kill you", "kill your", "i will kill", "i'll kill", "ill kill", "gonna kill", "going to kill",
            "burn down", "burn your", "bomb your", "blow up your", "shoot you", "shoot up", "find you and", "know where you live",
            "watch your back", "hurt you", "beat you", "you'll pay for this", "you will pay for this", "coming for you")
        .Add(Mark.Spam, 1f, "follow me", "follow back", "followback", "check out my", "click here", "free followers", "giveaway",
            "earn $", "make money", "work from home", "crypto", "bitcoin", "forex", "investment opportunity", "dm for promo",
            "limited offer", "buy now", "subscribe to my", "onlyfans", "sugar daddy", "cash app", "100% free", "get rich", "airdrop")
        .Add(Mark.Insult, 1f, "idiot*", "stupid", "moron*", "dumb", "loser*", "scum", "pathetic", "fuck you", "fuck off",
            "screw you", "shut up", "stfu", "bitch*", "asshole*", "bastard*", "dickhead", "cunt*", "retard*", "whore", "slut", "imbecile");

    private static readonly HashSet<string> Acknowledgements = new(StringComparer.Ordinal)
    {
        "thanks", "thank", "you", "thx", "ty", "tysm", "ok", "okay", "k", "great", "cool", "perfect", "awesome", "cheers", "will",
        "do", "got", "it", "np", "sure", "alright", "appreciate", "much", "so", "very", "all", "good", "sorted", "done", "that",
        "worked", "works", "now", "lol", "haha", "yes", "yep", "yeah", "nice", "brilliant", "excellent", "again", "a", "lot",
        "for", "the", "help", "your", "fixed", "resolved", "thankyou", "amazing", "wonderful", "👍", "🙏", "😊", "🙂", "❤", "👌", "💯",
    };

    public LinearModel? Model => abuseModel;

    /// <param name="features">The post's tokens and features, as extracted for the sentiment model.</param>
    public ModerationResult Check(TriageInput input, FeatureBuffer features, TriageRules rules, CompiledRules compiled)
    {
        var tokens = features.Tokens;
        var reasons = new List<string>(2);
        bool threat = false, insult = false;
        var spamHits = 0;
        Rules.Match(tokens, hit =>
        {
            switch (hit.Tag)
            {
                case Mark.Threat: threat = true; break;
                case Mark.Spam: spamHits++; break;
                case Mark.Insult: insult = true; break;
            }
        });
        var abuse = 0f;
        if (abuseModel is not null)
        {
            Span<float> p = stackalloc float[abuseModel.Labels.Length];
            abuseModel.Scores(features, p);
            LinearModel.Softmax(p);
            abuse = p[abuseModel.IndexOf("offensive")];
        }
        if (insult) abuse = MathF.Max(abuse, 0.5f + abuse / 2f);
        var blocked = compiled.Blocked.IsEmpty ? [] : compiled.Blocked.Matches(tokens);
        if (blocked.Count > 0)
        {
            abuse = 1f;
            reasons.Add($"blocked term \"{blocked[0].Phrase}\"");
        }
        var abusive = abuse >= rules.Removal.AbuseThreshold || threat;
        if (threat) reasons.Add("threat");
        else if (abusive && blocked.Count == 0) reasons.Add(insult ? "insult" : "abusive language");

        if (!compiled.Spam.IsEmpty) spamHits += compiled.Spam.Matches(tokens).Count * 2;
        var urls = 0;
        var mentions = 0;
        foreach (var t in tokens)
        {
            if (t.Kind == TokenKind.Url) urls++;
            else if (t.Kind == TokenKind.Mention) mentions++;
        }
        // Promotion with links, or a post that tags a crowd of accounts, is what spam looks like on social networks.
        var spam = spamHits >= 2 || spamHits == 1 && urls > 0 || mentions >= 8;
        if (spam) reasons.Add("spam");

        var noReply = NeedsNoReply(input, tokens, rules, out var why);
        if (noReply) reasons.Add(why);

        var remove = threat && rules.Removal.RemoveThreats || spam && rules.Removal.RemoveSpam || abusive && rules.Removal.RemoveAbuse;
        return reasons.Count == 0 && abuse < 0.01f
            ? ModerationResult.Clean
            : new ModerationResult(abuse, abusive, threat, spam, noReply, remove, reasons);
    }

    /// <summary>A share without comment, or a bare acknowledgement ("thanks!", "👍") soon after the brand
    /// replied or resolved the conversation.</summary>
    private static bool NeedsNoReply(TriageInput input, List<Token> tokens, TriageRules rules, out string why)
    {
        why = "";
        if (input.IsShareWithoutComment || IsBareRetweet(tokens))
        {
            why = "share without comment";
            return true;
        }
        var since = Latest(input.ResolvedAt, input.LastBrandReplyAt);
        if (since is null || input.Now - since.Value > rules.AcknowledgementWindow || input.Now < since.Value) return false;
        var words = 0;
        foreach (var t in tokens)
        {
            if (t.Kind is TokenKind.Mention or TokenKind.Punctuation or TokenKind.Emoticon) continue;
            if (t.Kind is TokenKind.Url || !Acknowledgements.Contains(t.Text)) return false;
            words++;
        }
        if (words == 0 || words > 10) return false;
        why = input.ResolvedAt == since ? "acknowledgement after resolution" : "acknowledgement of a reply";
        return true;
    }

    private static DateTimeOffset? Latest(DateTimeOffset? a, DateTimeOffset? b) => a is null ? b : b is null ? a : a > b ? a : b;

    private static bool IsBareRetweet(List<Token> tokens) =>
        tokens.Count >= 2 && tokens[0].Kind == TokenKind.Word && tokens[0].Text == "rt" && tokens[1].Kind == TokenKind.Mention;
}
