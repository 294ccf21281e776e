using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Parley.Data;

namespace Parley.Platform.People;

/// <summary>Checks an e-mail and password. Passwords are hashed with ASP.NET Core Identity's
/// <see cref="PasswordHasher{TUser}"/> (PBKDF2, per-user salt, upgraded on sign-in when the format
/// moves on); five failures in a row lock the account for <see cref="User.Lockout"/>.</summary>
public sealed class SignIn(TimeProvider clock)
{
    public const int MinPasswordLength = 10;
    private readonly PasswordHasher<User> _hasher = new();
    // Verifying against a real hash when the address is unknown keeps the answer's timing the same.
    private readonly Lazy<string> _decoy = new(() => new PasswordHasher<User>().HashPassword(new User(), Guid.NewGuid().ToString()));

    public abstract record Outcome
    {
        public sealed record Success(User User) : Outcome;
        public sealed record Refused : Outcome;
        public sealed record LockedOut(DateTimeOffset Until) : Outcome;
    }

    public async Task<Outcome> CheckAsync(ParleyDb db, string? email, string? password, CancellationToken ct)
    {
        var normalized = Normalize(email);
        var user = normalized.Length == 0 ? null
            : await db.Users.FirstOrDefaultAsync(u => u.NormalizedEmail == normalized, ct);
        if (user is null || user.DisabledAt is not null || string.IsNullOrEmpty(password))
        {
            _hasher.VerifyHashedPassword(new User(), _decoy.Value, password ?? "");
            return new Outcome.Refused();
        }
        var now = clock.GetUtcNow();
        if (user.IsLockedOut(now)) return new Outcome.LockedOut(user.LockedUntil!.Value);

        var result = _hasher.VerifyHashedPassword(user, user.PasswordHash, password);
        if (result == PasswordVerificationResult.Failed)
        {
            user.SignInFailed(now);
            await db.SaveChangesAsync(ct);
            return user.IsLockedOut(now) ? new Outcome.LockedOut(user.LockedUntil!.Value) : new Outcome.Refused();
        }
        if (result == PasswordVerificationResult.SuccessRehashNeeded) user.PasswordHash = _hasher.HashPassword(user, password);
        user.SignedIn();
        await db.SaveChangesAsync(ct);
        return new Outcome.Success(user);
    }

    public void SetPassword(User user, string password) => user.PasswordHash = _hasher.HashPassword(user, password);

    public static string Normalize(string? email) => (email ?? "").Trim().ToLowerInvariant();

    /// <summary>Why a password is not acceptable, or null.</summary>
    public static string? PasswordProblem(string? password) =>
        password is null || password.Length < MinPasswordLength ? $"A password has at least {MinPasswordLength} characters."
        : password.Length > 200 ? "A password has at most 200 characters."
        : null;
}
