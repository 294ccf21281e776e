using Parley.Platform.People;

namespace Parley.Platform.Apps;

/// <summary>Who did something, as the thread, the API and the event log show it: a person, an app (by its id and
/// name, so a renamed app is still recognisable) or an installation key ("api").</summary>
/// <param name="Kind">person, app or api.</param>
public sealed record Credit(string Kind, string Name, Guid? UserId, Guid? AppId)
{
    public const string PersonKind = "person";
    public const string AppKind = "app";
    public const string ApiKind = "api";

    public static Credit Of(Viewer viewer)
    {
        var name = viewer.Name.Length > 0 ? viewer.Name : "api";
        if (viewer.UserId is { } user) return new(PersonKind, name, user, null);
        return viewer.AppId is { } app ? new(AppKind, name, null, app) : new(ApiKind, name, null, null);
    }

    /// <summary>The same party as the event log names it (an installation key is an app without an id).</summary>
    public Events.EventActor Actor => Kind == PersonKind ? new(Events.EventActor.Person, UserId, Name) : new(Events.EventActor.App, AppId, Name);

    /// <summary>The kind of a stored author: an app id wins, then a person's id.</summary>
    public static string KindOf(Guid? userId, Guid? appId) => appId is not null ? AppKind : userId is not null ? PersonKind : ApiKind;
}
