using Parley.Platform.People;

namespace Parley.Platform.Events;

/// <summary>Who caused a change, in the data of every event that changes a conversation: a person (by user id),
/// an app (by app id; the installation's admin key has none), automation (a timer rule by its id, the snooze waker,
/// the router) or the customer (by contact id, when their message reopened or woke a conversation). Apps tell a
/// change someone made from one Parley made by itself without parsing the free-text <c>by</c>.</summary>
/// <param name="Kind">person, app, automation or customer.</param>
public sealed record EventActor(string Kind, Guid? Id, string Name)
{
    public const string Person = "person", App = "app", Automation = "automation", Customer = "customer";

    public static EventActor Of(Viewer viewer) =>
        viewer.UserId is { } user ? new(Person, user, viewer.Name)
        : new(App, viewer.AppId, viewer.Name.Length > 0 ? viewer.Name : "api");

    public static EventActor Automated(string name, Guid? id = null) => new(Automation, id, name);

    public static EventActor TheCustomer(Guid contactId, string name) => new(Customer, contactId, name);
}
