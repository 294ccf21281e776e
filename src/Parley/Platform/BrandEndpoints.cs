using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Parley.Data;
using Parley.Platform.Events;

namespace Parley.Platform;

public sealed record CreateBrandRequest(string Name);

public sealed record BrandDto(Guid Id, string Name, DateTimeOffset CreatedAt);

public static class BrandEndpoints
{
    public static void MapBrandEndpoints(this IEndpointRouteBuilder api)
    {
        var brands = api.MapGroup("/brands").WithTags("Brands");
        brands.MapPost("/", CreateBrand);
        brands.MapGet("/", async (ParleyDb db, CancellationToken ct) => TypedResults.Ok(
            await db.Brands.AsNoTracking().OrderBy(b => b.CreatedAt).Select(b => new BrandDto(b.Id, b.Name, b.CreatedAt)).ToListAsync(ct)));
    }

    private static async Task<Results<Created<BrandDto>, ValidationProblem>> CreateBrand(
        CreateBrandRequest request, ParleyDb db, TimeProvider clock, CancellationToken ct)
    {
        if (string.IsNullOrWhiteSpace(request.Name) || request.Name.Length > 200)
            return TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["name"] = ["A brand needs a name of 1 to 200 characters."] });
        var now = clock.GetUtcNow();
        var brand = new Brand { Name = request.Name.Trim(), CreatedAt = now };
        db.Brands.Add(brand);
        db.Append("brand.created", $"brands/{brand.Id}", brand.Id, new BrandCreatedData(brand.Id, brand.Name), now);
        await db.SaveChangesAsync(ct);
        return TypedResults.Created($"/api/v1/brands/{brand.Id}", new BrandDto(brand.Id, brand.Name, brand.CreatedAt));
    }
}
