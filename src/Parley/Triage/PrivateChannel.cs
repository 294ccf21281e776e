namespace Parley.Triage;

/// <summary>What to suggest when a customer puts sensitive data in a public post.</summary>
public static class PrivateChannel
{
    public static string Suggestion(IReadOnlyList<string> kinds)
    {
        var what = kinds.Count == 0 ? "personal details" : string.Join(" and ", kinds.Select(Describe).Distinct());
        return $"This public post shows {what}. Suggest continuing in a private message, and that the customer delete the post.";
    }

    private static string Describe(string kind) => kind switch
    {
        "cardNumber" => "a card number",
        "iban" => "a bank account number",
        "phone" => "a phone number",
        "email" => "an e-mail address",
        "orderNumber" => "an order or account number",
        _ => "personal details",
    };
}
