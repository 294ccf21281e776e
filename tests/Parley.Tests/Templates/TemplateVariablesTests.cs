using Parley.Templates;

namespace Parley.Tests.Templates;

public sealed class TemplateVariablesTests
{
    private static readonly Dictionary<string, string?> Dana = new()
    {
        ["customer.name"] = "Dana Scully", ["customer.firstName"] = "Dana", ["agent.name"] = "Maria Lopez",
        ["agent.firstName"] = "Maria", ["conversation.orderNumber"] = null,
    };

    [Fact]
    public void Known_variables_are_filled_and_missing_ones_stay_for_the_agent()
    {
        var result = TemplateVariables.Render("Hi {customer.firstName}, {agent.firstName} here. Order {conversation.orderNumber}?", Dana);

        Assert.Equal("Hi Dana, Maria here. Order {conversation.orderNumber}?", result.Text);
        Assert.Equal(["conversation.orderNumber"], result.Missing);
    }

    [Fact]
    public void Sent_without_a_person_a_missing_variable_disappears_with_its_space()
    {
        var values = new Dictionary<string, string?> { ["customer.firstName"] = null };

        Assert.Equal("Hi, is this sorted?", TemplateVariables.Render("Hi {customer.firstName}, is this sorted?", values, dropMissing: true).Text);
    }

    [Fact]
    public void Typos_are_reported_and_other_braces_are_left_alone()
    {
        Assert.Equal(["customer.nmae", "order.number"], TemplateVariables.Unknown("Hi {customer.nmae}, re {order.number} {not a variable} {}"));
        Assert.Equal("Use {curly} braces", TemplateVariables.Render("Use {curly} braces", Dana).Text);
    }

    [Theory]
    [InlineData("where is my order #112-5551234 please", "112-5551234")]
    [InlineData("I called 5551234 twice", null)]
    public void The_order_number_is_the_latest_one_the_customer_named(string text, string? expected) =>
        Assert.Equal(expected, TemplateContext.OrderNumberIn([text]));

    [Fact]
    public void A_number_in_a_newer_message_wins() =>
        Assert.Equal("77881234", TemplateContext.OrderNumberIn(["sorry, wrong one: my order number is 77881234", "booking ref ABC123"]));
}
