using Parley.Triage;

namespace Parley.Tests.Triage;

public sealed class SensitiveDataTests
{
    [Theory]
    [InlineData("4111111111111111")]      // Visa, plain
    [InlineData("4111 1111 1111 1111")]   // Visa, spaced
    [InlineData("5500-0000-0000-0004")]   // Mastercard, dashed
    [InlineData("3782 822463 10005")]     // Amex, 4-6-5
    [InlineData("6011000990139424")]      // Discover
    [InlineData("2221 0000 0000 0009")]   // Mastercard 2-series
    public void Luhn_valid_card_numbers_are_found_and_masked_to_the_last_four_digits(string card)
    {
        var text = $"you charged my card {card} twice!";

        var masked = SensitiveData.MaskSensitive(text);

        Assert.DoesNotContain(card, masked, StringComparison.Ordinal);
        Assert.EndsWith($"{card[^4..]} twice!", masked, StringComparison.Ordinal);
        Assert.StartsWith("you charged my card •", masked, StringComparison.Ordinal);
        Assert.True(SensitiveData.Find(text).Has(SensitiveKind.CardNumber));
    }

    [Theory]
    [InlineData("4111111111111112")]      // Luhn check digit wrong
    [InlineData("4111 1111 1111 1112")]
    [InlineData("1234567812345670")]      // Luhn-valid but no issuer starts with 1
    [InlineData("112-4567890-1234567")]   // an Amazon-style order number grouping
    public void Numbers_that_are_not_cards_are_left_alone(string number)
    {
        Assert.False(SensitiveData.Find($"ref {number} please").Has(SensitiveKind.CardNumber));
    }

    [Theory]
    [InlineData("DE89370400440532013000")]
    [InlineData("DE89 3704 0044 0532 0130 00")]
    [InlineData("GB29 NWBK 6016 1331 9268 19")]
    [InlineData("NL91ABNA0417164300")]
    [InlineData("fr1420041010050500013m02606")]
    public void Mod97_valid_ibans_are_found_and_masked(string iban)
    {
        var text = $"send it to {iban} asap";

        var found = SensitiveData.Find(text);
        var masked = SensitiveData.Mask(text, found);

        var match = Assert.Single(found.Matches);
        Assert.Equal(SensitiveKind.Iban, match.Kind);
        Assert.Equal(iban, text.Substring(match.Start, match.Length));
        Assert.DoesNotContain(iban, masked, StringComparison.Ordinal);
        Assert.Contains(iban[^4..], masked, StringComparison.Ordinal);
    }

    [Fact]
    public void An_iban_with_wrong_check_digits_is_not_masked()
    {
        Assert.False(SensitiveData.Find("send it to DE88370400440532013000").Has(SensitiveKind.Iban));
    }

    [Theory]
    [InlineData("call me on +44 20 7946 0958", "+44 20 7946 0958")]
    [InlineData("my number is (555) 123-4567 thanks", "(555) 123-4567")]
    [InlineData("text 555-123-4567", "555-123-4567")]
    [InlineData("ring 07700 900123 after 5", "07700 900123")]
    public void Phone_numbers_are_masked_except_their_last_two_digits(string text, string phone)
    {
        var masked = SensitiveData.MaskSensitive(text);

        Assert.DoesNotContain(phone, masked, StringComparison.Ordinal);
        Assert.Contains(phone[^2..], masked, StringComparison.Ordinal);
        Assert.True(SensitiveData.Find(text).Has(SensitiveKind.Phone));
    }

    [Theory]
    [InlineData("flight on 2017-10-31 at 10:30")]
    [InlineData("iOS 11.0.3 broke it")]
    [InlineData("paid $1,299.00 for this")]
    [InlineData("tweet 1065035365336141825")]
    public void Dates_versions_prices_and_ids_are_not_phone_numbers(string text)
    {
        Assert.False(SensitiveData.Find(text).Any);
    }

    [Fact]
    public void Email_addresses_are_masked_but_the_domain_stays_readable()
    {
        var masked = SensitiveData.MaskSensitive("email me at jane.doe+air@example.co.uk please");

        Assert.Equal("email me at j•••@example.co.uk please", masked);
    }

    [Fact]
    public void A_mention_is_not_an_email_address()
    {
        Assert.False(SensitiveData.Find("@AmazonHelp where is my parcel").Any);
    }

    [Theory]
    [InlineData("order #112-4567890-1234567 never came", "112-4567890-1234567")]
    [InlineData("my account number is 88123456", "88123456")]
    [InlineData("booking ref K9X2QA please", "K9X2QA")]
    public void Order_account_and_booking_numbers_after_their_name_are_masked(string text, string reference)
    {
        var masked = SensitiveData.MaskSensitive(text);

        Assert.DoesNotContain(reference, masked, StringComparison.Ordinal);
        Assert.Contains(reference[^3..], masked, StringComparison.Ordinal);
    }

    [Fact]
    public void A_card_number_in_a_public_post_suggests_moving_to_a_private_channel()
    {
        const string text = "why did you charge 4111 1111 1111 1111 twice";

        var inPublic = Posts.Analyze(text);
        var inPrivate = Posts.Analyze(Posts.Public(text) with { Visibility = PostVisibility.Private });

        Assert.True(inPublic.SuggestPrivateChannel);
        Assert.False(inPrivate.SuggestPrivateChannel);
        Assert.Equal("why did you charge •••• •••• •••• 1111 twice", inPublic.MaskedText);
    }
}
