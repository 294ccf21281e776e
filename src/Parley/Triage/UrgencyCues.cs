namespace Parley.Triage;

public enum UrgencyCue { Safety, Stranded, TravellingSoon, MoneyLost, ServiceDown, TimePressure, RepeatedContact, EscalatingTone, Anger }

/// <summary>The cues found, with the words that showed each, and an overall level from 0 to 1.</summary>
public sealed record UrgencyResult(IReadOnlyList<UrgencyCue> Cues, IReadOnlyList<string> Evidence, float Level)
{
    public static readonly UrgencyResult None = new([], [], 0f);
    public bool Has(UrgencyCue cue) => Cues.Contains(cue);
}

/// <summary>Finds what makes a post urgent: danger, a traveller stranded or about to leave, money taken,
/// a service down, time pressure, a customer who keeps writing, a tone that is getting worse across
/// their recent messages, and anger in this one (shouting or swearing at a bad experience).</summary>
public static class UrgencyCues
{
    /// <summary>Recent messages older than this say nothing about repeated contact or escalation.</summary>
    public static readonly TimeSpan RecentWindow = TimeSpan.FromHours(48);

    private enum Cue { Safety, Stranded, MoneyLost, ServiceDown, TimePressure, RepeatedContact, Travel, TravelTrouble, Soon, Swearing }

    private static readonly int CueCount = Enum.GetValues<Cue>().Length;

    private static readonly PhraseMatcher<Cue> Rules = new PhraseMatcher<Cue>()
        .Add(Cue.Safety, 1f, "caught fire", "on fire", "smoke", "smoking", "burning smell", "exploded", "explosion", "injur*", "hurt",
            "hospital", "unsafe", "danger*", "emergency", "ambulance", "bleeding", "poison*", "allergic reaction", "gas leak",
            "carbon monoxide", "electric shock", "electrocut*", "assault*", "harass*", "threaten*", "stalk*", "suicid*", "scared for my")
        .Add(Cue.Stranded, 1f, "stranded", "missed my connection", "missed connection",
            "missed my flight", "sleeping at the airport", "sleep at the airport", "no hotel", "left behind", "can't get home",
            "cant get home", "bumped", "overbooked", "no way home", "nowhere to stay")
        .Add(Cue.Travel, 1f, "flight", "flights", "plane", "airport", "boarding", "board", "gate", "layover", "connection", "train",
            "bus", "departure", "departing", "depart", "check-in", "check in", "trip", "travel*", "fly", "flying", "cruise", "luggage",
            "bag", "bags", "baggage", "hotel")
        .Add(Cue.TravelTrouble, 1f, "cancelled", "canceled", "delayed", "delay", "missed", "diverted", "lost", "stuck", "no show")
        .Add(Cue.Soon, 1f, "today", "tonight", "tomorrow", "now", "soon", "in an hour", "in 1 hour", "in 2 hours", "in 3 hours",
            "this morning", "this afternoon", "this evening", "in minutes", "asap")
        .Add(Cue.MoneyLost, 1f, "charged twice", "double charged", "charged me twice", "overcharg*", "took money", "taken money",
            "money taken", "took my money", "stole*", "stolen", "fraud*", "scam*", "unauthori*", "debited", "withdrawn", "missing money",
            "lost money", "never received my refund", "still no refund", "wrong amount", "charged me", "drained", "overdr*", "chargeback")
        .Add(Cue.ServiceDown, 1f, "outage", "is down", "are down", "went down", "down again", "been down", "service down", "not working",
            "isn't working", "stopped working", "no service", "no signal", "no internet", "no power", "no wifi", "no connection",
            "can't connect", "cant connect", "offline", "blackout", "won't load", "not loading", "crashed", "crashing")
        .Add(Cue.TimePressure, 1f, "asap", "urgent*", "immediately", "right now", "right away", "emergency", "hurry", "as soon as possible",
            "today", "tonight", "deadline", "before tomorrow", "time sensitive", "need help now", "help now")
        .Add(Cue.RepeatedContact, 1f, "again", "still waiting", "still no", "still not", "still haven't", "still havent", "keep calling",
            "called you", "third time", "3rd time", "second time", "2nd time", "no one has", "nobody has", "no response", "no reply",
            "no answer", "nobody answers", "no one answers", "ignored", "ignoring", "on hold", "for days", "for weeks", "for hours",
            "multiple times", "several times", "many times", "times now", "yet again")
        .Add(Cue.Swearing, 1f, "fuck*", "shit*", "bullshit", "wtf", "ffs", "crap", "pissed", "damn", "bs", "😡", "🤬", "😤");

    public static UrgencyResult Find(TriageInput input, List<Token> tokens, LexiconSignals lexicon, SentimentLexicon sentimentLexicon)
    {
        var found = new bool[CueCount];
        var evidence = new List<string>(4);
        Rules.Match(tokens, hit =>
        {
            if (!found[(int)hit.Tag] && hit.Tag is not (Cue.Travel or Cue.TravelTrouble or Cue.Soon or Cue.Swearing)) evidence.Add($"\"{hit.Phrase}\"");
            found[(int)hit.Tag] = true;
        });

        var cues = new List<UrgencyCue>(4);
        if (found[(int)Cue.Safety]) cues.Add(UrgencyCue.Safety);
        var travel = found[(int)Cue.Travel];
        if (found[(int)Cue.Stranded] || travel && found[(int)Cue.TravelTrouble]) cues.Add(UrgencyCue.Stranded);
        if (travel && found[(int)Cue.Soon] && !cues.Contains(UrgencyCue.Stranded))
        {
            cues.Add(UrgencyCue.TravellingSoon);
            evidence.Add("travel soon");
        }
        if (travel && found[(int)Cue.TravelTrouble] && !found[(int)Cue.Stranded]) evidence.Add("travel disrupted");
        if (found[(int)Cue.MoneyLost]) cues.Add(UrgencyCue.MoneyLost);
        if (found[(int)Cue.ServiceDown]) cues.Add(UrgencyCue.ServiceDown);
        // Shouting "NOW" or "!!!" with a demand is time pressure too.
        if (found[(int)Cue.TimePressure] || HasShoutedNow(tokens)) cues.Add(UrgencyCue.TimePressure);

        var recent = RecentMessages(input);
        if (found[(int)Cue.RepeatedContact] || recent.Count >= 2 || input.PreviousContactCount >= 2)
        {
            cues.Add(UrgencyCue.RepeatedContact);
            if (!found[(int)Cue.RepeatedContact]) evidence.Add(recent.Count >= 2 ? $"{recent.Count + 1} messages in 48 h" : $"{input.PreviousContactCount} earlier contacts");
        }
        if (IsEscalating(recent, lexicon, sentimentLexicon))
        {
            cues.Add(UrgencyCue.EscalatingTone);
            evidence.Add("tone getting worse");
        }
        // Shouting or swearing about a bad experience: the customer is past patience.
        var shouting = lexicon.CapsWords >= 2 || lexicon.Exclamations >= 2;
        var swearing = found[(int)Cue.Swearing];
        if (shouting && (lexicon.Compound <= -0.3f || swearing) || swearing && lexicon.Compound <= -0.5f)
        {
            cues.Add(UrgencyCue.Anger);
            evidence.Add(shouting ? "shouting" : "swearing");
        }
        return cues.Count == 0 ? UrgencyResult.None : new UrgencyResult(cues, evidence, Level(cues));
    }

    private static float Level(List<UrgencyCue> cues)
    {
        var level = 0f;
        foreach (var cue in cues)
        {
            var weight = cue switch
            {
                UrgencyCue.Safety => 0.9f,
                UrgencyCue.Stranded => 0.7f,
                UrgencyCue.MoneyLost => 0.5f,
                UrgencyCue.ServiceDown => 0.4f,
                UrgencyCue.TravellingSoon => 0.4f,
                UrgencyCue.EscalatingTone => 0.4f,
                UrgencyCue.Anger => 0.5f,
                UrgencyCue.RepeatedContact => 0.3f,
                _ => 0.3f,
            };
            level = 1f - (1f - level) * (1f - weight);
        }
        return level;
    }

    private static List<RecentMessage> RecentMessages(TriageInput input)
    {
        var recent = new List<RecentMessage>(input.RecentMessages.Count);
        foreach (var m in input.RecentMessages)
            if (m.At <= input.Now && input.Now - m.At <= RecentWindow) recent.Add(m);
        recent.Sort((a, b) => a.At.CompareTo(b.At));
        return recent;
    }

    /// <summary>Escalating: the customer's mood is lower now than in their earlier messages, and now negative,
    /// or they have started shouting (more capitals or exclamation marks than before).</summary>
    private static bool IsEscalating(List<RecentMessage> recent, LexiconSignals now, SentimentLexicon lexicon)
    {
        if (recent.Count == 0) return false;
        float earlier = 0;
        int earlierShouting = 0;
        foreach (var message in recent)
        {
            var (compound, shouting) = EarlierTone(message.Text, lexicon);
            earlier += compound;
            earlierShouting = Math.Max(earlierShouting, shouting);
        }
        earlier /= recent.Count;
        var current = now.Compound;
        var shoutingNow = now.CapsWords + now.Exclamations;
        return current < -0.2f && current < earlier - 0.25f || shoutingNow >= 3 && shoutingNow > earlierShouting + 1;
    }

    /// <summary>The same earlier contacts are read for the message and again for its conversation, and again for the
    /// customer's next message: their tone is remembered per thread (a pure function of the text and the lexicon),
    /// for the last few hundred texts, rather than tokenised each time.</summary>
    [ThreadStatic] private static Dictionary<string, (float Compound, int Shouting)>? _tones;
    [ThreadStatic] private static SentimentLexicon? _tonesLexicon;
    [ThreadStatic] private static List<Token>? _tokens;
    private const int MaxTones = 256;

    private static (float Compound, int Shouting) EarlierTone(string text, SentimentLexicon lexicon)
    {
        var tones = _tones ??= new Dictionary<string, (float, int)>(StringComparer.Ordinal);
        if (!ReferenceEquals(_tonesLexicon, lexicon))
        {
            tones.Clear();
            _tonesLexicon = lexicon;
        }
        if (tones.TryGetValue(text, out var tone)) return tone;
        var tokens = _tokens ??= new List<Token>(32);
        SocialTokenizer.Tokenize(text, tokens);
        var signals = lexicon.Score(tokens);
        tone = (signals.Compound, signals.CapsWords + signals.Exclamations);
        if (tones.Count >= MaxTones) tones.Clear();
        tones[text] = tone;
        return tone;
    }

    private static bool HasShoutedNow(List<Token> tokens)
    {
        for (var i = 0; i < tokens.Count; i++)
            if (tokens[i].Kind == TokenKind.Word && tokens[i].AllCaps && tokens[i].Text is "now" or "asap" or "help" or "urgent") return true;
        return false;
    }
}
