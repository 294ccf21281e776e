using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Parley.Data;
using Parley.Platform;
using Parley.Platform.People;

namespace Parley.Web;

public sealed record SavedViewDto(Guid Id, string Name, string Query, DateTimeOffset CreatedAt);

/// <param name="Query">The inbox query string the view stands for, e.g. "status=open&amp;channel=x".</param>
public sealed record SaveViewRequest(string? Name, string? Query);

/// <summary>A person's saved inbox filters.</summary>
public static class SavedViews
{
    private static readonly HashSet<string> Keys = ["status", "state", "channel", "team", "assignee", "q"];

    public static void MapSavedViews(this IEndpointRouteBuilder api)
    {
        var views = api.MapGroup("/views").WithTags("Workspace");
        views.MapGet("/", ListAsync).WithSummary("The signed-in person's saved inbox views.");
        views.MapPost("/", SaveAsync).WithSummary("Saves an inbox filter under a name; saving a name again replaces it.");
        views.MapDelete("/{id:guid}", DeleteAsync).WithSummary("Forgets a saved view.");
    }

    private static async Task<Results<Ok<List<SavedViewDto>>, ProblemHttpResult>> ListAsync(ParleyDb db, Viewer viewer, CancellationToken ct)
    {
        if (viewer.UserId is not { } me) return PeopleOnly();
        return TypedResults.Ok(await db.SavedViews.AsNoTracking().Where(v => v.UserId == me).OrderBy(v => v.Name)
            .Select(v => new SavedViewDto(v.Id, v.Name, v.Query, v.CreatedAt)).ToListAsync(ct));
    }

    private static async Task<Results<Ok<SavedViewDto>, ProblemHttpResult, ValidationProblem>> SaveAsync(
        SaveViewRequest request, ParleyDb db, Viewer viewer, TimeProvider clock, CancellationToken ct)
    {
        if (viewer.UserId is not { } me) return PeopleOnly();
        var errors = new Dictionary<string, string[]>();
        var name = request.Name?.Trim() ?? "";
        if (name.Length is 0 or > 200) errors["name"] = ["A view needs a name of 1 to 200 characters."];
        var query = (request.Query ?? "").Trim().TrimStart('?');
        if (query.Length > 2_000) errors["query"] = ["'query' has at most 2000 characters."];
        var unknown = query.Split('&', StringSplitOptions.RemoveEmptyEntries).Select(p => Uri.UnescapeDataString(p.Split('=')[0]))
            .Where(k => !Keys.Contains(k)).ToList();
        if (unknown.Count > 0) errors["query"] = [$"Unknown inbox filter(s): {string.Join(", ", unknown)}. Use {string.Join(", ", Keys)}."];
        if (errors.Count > 0) return TypedResults.ValidationProblem(errors);

        var view = await db.SavedViews.FirstOrDefaultAsync(v => v.UserId == me && v.Name == name, ct);
        if (view is null)
        {
            view = new SavedView { UserId = me, Name = name, CreatedAt = clock.GetUtcNow() };
            db.SavedViews.Add(view);
        }
        view.Query = query;
        await db.SaveChangesAsync(ct);
        return TypedResults.Ok(new SavedViewDto(view.Id, view.Name, view.Query, view.CreatedAt));
    }

    private static async Task<Results<NoContent, ProblemHttpResult>> DeleteAsync(Guid id, ParleyDb db, Viewer viewer, CancellationToken ct)
    {
        if (viewer.UserId is not { } me) return PeopleOnly();
        var removed = await db.SavedViews.Where(v => v.Id == id && v.UserId == me).ExecuteDeleteAsync(ct);
        return removed == 0 ? Problems.NotFound("saved view", id) : TypedResults.NoContent();
    }

    internal static ProblemHttpResult PeopleOnly() => TypedResults.Problem(statusCode: StatusCodes.Status404NotFound,
        title: "Only for people", detail: "This belongs to a person signed in to the workspace; API keys have none.");
}
