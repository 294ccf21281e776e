using Parley.Data;

namespace Parley.Conversations;

/// <summary>A customer, known by one or more identities on the networks.</summary>
public sealed class Contact
{
    public Guid Id { get; init; } = GuidV7.New();
    public Guid BrandId { get; init; }
    public string DisplayName { get; set; } = "";
    public DateTimeOffset CreatedAt { get; init; }
    public List<ContactIdentity> Identities { get; init; } = [];
    /// <summary>What the customer is worth to the brand (lifetime value, a plan tier as a number), as one of
    /// the brand's apps says through the API; the priority counts it from the brand's threshold.</summary>
    public decimal? Value { get; set; }
    /// <summary>Other facts the brand's apps supply (a JSON object of names to strings, numbers or booleans), shown to agents.</summary>
    public string? Facts { get; set; }
    public DateTimeOffset? FactsUpdatedAt { get; set; }
    /// <summary>Who last set the facts: a person's or an app's name.</summary>
    public string? FactsUpdatedBy { get; set; }
    /// <summary>The app that last set the facts, if an app did.</summary>
    public Guid? FactsUpdatedByAppId { get; set; }
    /// <summary>Set when this contact was merged into another (POST /api/v1/contacts/{id}/merge): its identities and
    /// conversations moved there, and reading it answers 404 naming the survivor.</summary>
    public Guid? MergedIntoId { get; set; }
}

/// <summary>One account of a contact on one network, e.g. an X user id or a Messenger page-scoped id.</summary>
public sealed class ContactIdentity
{
    public Guid Id { get; init; } = GuidV7.New();
    public Guid ContactId { get; init; }
    public Guid BrandId { get; init; }
    public string Network { get; init; } = "";
    public string ExternalId { get; init; } = "";
    public string? Handle { get; set; }
    public string? DisplayName { get; set; }
    public int? Followers { get; set; }
    public bool Verified { get; set; }
}
