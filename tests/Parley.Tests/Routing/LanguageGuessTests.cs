using Parley.Routing;

namespace Parley.Tests.Routing;

public sealed class LanguageGuessTests
{
    [Theory]
    [InlineData("@AmericanAir I want my refund, where is it", "en")]
    [InlineData("@Iberia hola, ¿dónde está mi maleta? gracias", "es")]
    [InlineData("@AirFrance bonjour, ma valise n'est pas arrivée, merci de vous en occuper", "fr")]
    [InlineData("@Lufthansa mein Koffer ist nicht angekommen, bitte helfen Sie mir, danke", "de")]
    [InlineData("@KLM mijn koffer is niet aangekomen, bedankt voor de hulp", "nl")]
    // Too little to tell: better no guess than a wrong one.
    [InlineData("@acme ok", null)]
    [InlineData("@acme 😡😡😡 #fail", null)]
    public void Guesses_only_when_the_function_words_are_clear(string text, string? expected) =>
        Assert.Equal(expected, LanguageGuess.Of(text));

    [Fact]
    public void Handles_and_hashtags_are_not_words_of_the_language() =>
        // "@the_and_is" and "#elmundo" would otherwise look like English and Spanish.
        Assert.Null(LanguageGuess.Of("@the_and_is #el #la #mi"));
}
