namespace Parley.Triage;

/// <summary>What the customer wants. The names are the labels of the shipped intent model.</summary>
public enum Intent
{
    Other, Question, Complaint, Refund, Delivery, Outage, AccountAccess, Billing, Praise, Cancellation, Order,
    ContactRequest, Feedback,
}

/// <summary>One candidate intent with its confidence (0..1) and what suggested it.</summary>
public sealed record IntentScore(Intent Intent, float Confidence, string Evidence);

/// <summary>The most likely intent first; <see cref="All"/> holds every intent with some evidence, since
/// a post can ask for a refund and complain at once.</summary>
public sealed record IntentResult(Intent Primary, float Confidence, IReadOnlyList<IntentScore> All)
{
    public bool Has(Intent intent, float atLeast = 0.3f) => All.Any(s => s.Intent == intent && s.Confidence >= atLeast);
}

/// <summary>Keyword and pattern rules (precise on the things a social post says plainly: "refund",
/// "is down", "thank you") combined with a linear model trained on the Bitext customer-service
/// utterances (which knows many more ways to ask about an order, an invoice or an account).</summary>
public sealed class IntentClassifier
{
    private const float ModelWeight = 1.4f;
    private const float ModelFloor = 0.45f;
    private static readonly int IntentCount = Enum.GetValues<Intent>().Length;

    private readonly LinearModel? _model;
    private readonly Intent[] _modelIntents = [];

    internal static readonly PhraseMatcher<Intent> Rules = new PhraseMatcher<Intent>()
        .Add(Intent.Refund, 1.5f, "refund*", "money back", "reimburs*", "chargeback", "charge back", "compensat*", "my money")
        .Add(Intent.Delivery, 1.2f, "deliver*", "package", "packages", "parcel", "shipping", "shipment", "shipped", "tracking",
            "courier", "not arrived", "hasn't arrived", "never arrived", "still not here", "where is my order", "where's my order",
            "dispatch*", "out for delivery", "fedex", "usps", "dhl", "ups driver", "driver", "lost in the mail", "postman", "missing item")
        .Add(Intent.Outage, 1.3f, "outage", "is down", "are down", "went down", "down again", "been down", "not working", "isn't working",
            "isnt working", "doesn't work", "doesnt work", "stopped working", "won't load", "wont load", "not loading", "can't connect",
            "cant connect", "no service", "no signal", "no internet", "no wifi", "no connection", "offline", "crash*", "error", "bug",
            "glitch*", "freez*", "froze", "keeps restarting", "unresponsive", "won't turn on", "broken", "not responding")
        .Add(Intent.AccountAccess, 1.3f, "log in", "login", "logged out", "log into", "sign in", "signin", "password", "locked out",
            "account locked", "hacked", "2fa", "verification code", "access my account", "into my account", "reset my", "username",
            "suspended", "disabled my account", "account")
        .Add(Intent.Billing, 1.2f, "bill", "billing", "billed", "charge", "charged", "charges", "invoice*", "payment*", "overcharg*", "fee", "fees",
            "credit card", "debit*", "price", "pricing", "paid", "pay", "statement", "promo code", "discount")
        .Add(Intent.Cancellation, 1.4f, "cancel my", "want to cancel", "how do i cancel", "how to cancel", "cancellation", "unsubscribe",
            "close my account", "delete my account", "terminate", "switching to", "cancel the", "cancel order", "cancel subscription")
        .Add(Intent.Praise, 1.2f, "thank you", "thanks", "thx", "ty", "love", "awesome", "great service", "amazing", "kudos",
            "shout out", "shoutout", "well done", "appreciate*", "helpful", "excellent", "best", "brilliant", "fantastic", "❤", "😍", "👏", "🙌")
        .Add(Intent.Complaint, 1.2f, "worst", "terrible", "awful", "disappoint*", "ridiculous", "unacceptable", "complain*", "fed up",
            "sick of", "never again", "horrible", "useless", "pathetic", "rude", "joke", "shameful", "disgrace*", "still waiting", "no one",
            "nobody", "ignored", "ignoring", "😡", "🤬", "😤")
        .Add(Intent.Order, 1.0f, "place an order", "change my order", "ordered", "my order", "pre-order", "preorder", "purchase*", "bought")
        .Add(Intent.ContactRequest, 1.2f, "speak to", "talk to", "human", "real person", "agent", "representative", "call me",
            "contact you", "phone number", "customer service number", "dm me", "email address", "get in touch")
        .Add(Intent.Feedback, 1.0f, "feedback", "suggest*", "feature request", "would be nice", "please add", "you should", "review");

    private static readonly HashSet<string> QuestionStarts = new(StringComparer.Ordinal)
    {
        "how", "what", "when", "where", "why", "who", "which", "can", "could", "is", "are", "do", "does", "did", "will", "would",
        "should", "any", "anyone", "has", "have", "whats", "what's", "hows", "how's", "wheres", "where's",
    };

    public IntentClassifier(LinearModel? model)
    {
        _model = model;
        if (model is not null) _modelIntents = model.Labels.Select(Enum.Parse<Intent>).ToArray();
    }

    public LinearModel? Model => _model;

    /// <param name="features">The post's tokens and features, as extracted for the sentiment model.</param>
    /// <param name="sentiment">Tips complaint against praise when the words alone do not.</param>
    public IntentResult Classify(FeatureBuffer features, SentimentResult sentiment)
    {
        var scores = new float[IntentCount];
        var evidence = new string?[IntentCount];
        Rules.Match(features.Tokens, hit =>
        {
            scores[(int)hit.Tag] += hit.Weight;
            evidence[(int)hit.Tag] ??= $"\"{hit.Phrase}\"";
        });

        if (_model is not null)
        {
            Span<float> p = stackalloc float[_model.Labels.Length];
            _model.Scores(features, p);
            LinearModel.Softmax(p);
            var best = LinearModel.ArgMax(p);
            if (p[best] >= ModelFloor)
            {
                var intent = _modelIntents[best];
                scores[(int)intent] += ModelWeight * p[best];
                evidence[(int)intent] ??= "model";
            }
        }

        if (sentiment.Label == SentimentLabel.Negative) scores[(int)Intent.Complaint] += 0.8f * sentiment.Confidence;
        if (sentiment.Label == SentimentLabel.Positive && scores[(int)Intent.Praise] > 0) scores[(int)Intent.Praise] += 0.5f * sentiment.Confidence;
        // Praise words in a negative post are sarcasm or politeness ("thanks for nothing"), not praise.
        if (sentiment.Label == SentimentLabel.Negative) scores[(int)Intent.Praise] *= 0.3f;
        if (IsQuestion(features.Tokens))
        {
            scores[(int)Intent.Question] += 0.9f;
            evidence[(int)Intent.Question] ??= "asks a question";
        }
        evidence[(int)Intent.Complaint] ??= "negative tone";

        var all = new List<IntentScore>(4);
        for (var i = 1; i < IntentCount; i++)
            if (scores[i] >= 0.3f) all.Add(new IntentScore((Intent)i, Confidence(scores[i]), evidence[i] ?? ""));
        all.Sort((a, b) => b.Confidence.CompareTo(a.Confidence));
        return all.Count == 0
            ? new IntentResult(Intent.Other, 0.5f, [])
            : new IntentResult(all[0].Intent, all[0].Confidence, all);
    }

    /// <summary>Evidence adds up; confidence approaches 1 as it does.</summary>
    private static float Confidence(float score) => 1f - MathF.Exp(-score);

    private static bool IsQuestion(List<Token> tokens)
    {
        foreach (var t in tokens)
            if (t.Kind == TokenKind.Punctuation && t.Text[0] == '?') return true;
        foreach (var t in tokens)
        {
            if (t.Kind is TokenKind.Mention or TokenKind.Hashtag) continue;
            return t.Kind == TokenKind.Word && QuestionStarts.Contains(t.Text);
        }
        return false;
    }
}
