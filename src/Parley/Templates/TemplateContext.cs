using Microsoft.EntityFrameworkCore;
using Parley.Conversations;
using Parley.Data;
using Parley.Triage;

namespace Parley.Templates;

/// <summary>The values of the template variables for one conversation and the agent answering it.</summary>
public static class TemplateContext
{
    public static async Task<Dictionary<string, string?>> ForAsync(ParleyDb db, Conversation conversation, string? agentName, CancellationToken ct)
    {
        var contact = await db.Contacts.AsNoTracking().Where(c => c.Id == conversation.ContactId).Select(c => c.DisplayName).FirstOrDefaultAsync(ct);
        var handle = await db.ContactIdentities.AsNoTracking().Where(i => i.ContactId == conversation.ContactId && i.Handle != null)
            .Select(i => i.Handle).FirstOrDefaultAsync(ct);
        var brand = await db.Brands.AsNoTracking().Where(b => b.Id == conversation.BrandId).Select(b => b.Name).FirstOrDefaultAsync(ct);
        var texts = await db.Messages.AsNoTracking().Where(m => m.ConversationId == conversation.Id && m.Direction == MessageDirection.Inbound)
            .OrderByDescending(m => m.CreatedAt).Take(20).Select(m => m.Text).ToListAsync(ct);
        // A customer's name that is only their numeric id is no name to greet them by.
        var name = contact is { Length: > 0 } && !contact.All(char.IsDigit) ? contact : null;
        return new Dictionary<string, string?>
        {
            ["customer.name"] = name,
            ["customer.firstName"] = TemplateVariables.FirstName(name),
            ["customer.handle"] = handle is null ? null : "@" + handle,
            ["agent.name"] = agentName,
            ["agent.firstName"] = TemplateVariables.FirstName(agentName),
            ["brand.name"] = brand,
            ["conversation.orderNumber"] = OrderNumberIn(texts),
        };
    }

    /// <summary>The order (booking, account...) number the customer mentioned most recently, found the way triage finds it:
    /// after a word that names it ("order #112-5551234"), never bare digits.</summary>
    public static string? OrderNumberIn(IEnumerable<string> newestFirst)
    {
        foreach (var text in newestFirst)
        {
            var match = SensitiveData.Find(text).Matches.FirstOrDefault(m => m.Kind == SensitiveKind.OrderNumber);
            if (match.Length > 0) return text.Substring(match.Start, match.Length);
        }
        return null;
    }
}
