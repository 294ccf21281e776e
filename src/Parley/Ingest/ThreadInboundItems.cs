using Microsoft.EntityFrameworkCore;
using Parley.Channels;
using Parley.Conversations;
using Parley.Data;
using Parley.Platform.Events;
using Parley.Triage;

namespace Parley.Ingest;

/// <summary>Places parsed messages into conversations: a reply chain or a DM thread is one
/// conversation, and a customer's new post joins their open conversation on the channel.</summary>
public static class ThreadInboundItems
{
    /// <summary>Threads the items of one delivery with what <paramref name="lookup"/> knows, which must
    /// cover them; adds the new rows and events to <paramref name="rows"/> (changes to rows the lookup read are
    /// tracked by <paramref name="db"/>), nothing saved, and keeps the lookup up to date so the next delivery in
    /// the same batch finds them.</summary>
    /// <returns>How many new messages were stored (duplicates are skipped), and how many must wait
    /// for the message they answer.</returns>
    /// <param name="triage">Shared across a batch, so a brand's triage settings are read once per batch.</param>
    public static async Task<(int Stored, int Waiting)> ApplyAsync(ParleyDb db, ProcessedRows rows, ThreadingLookup lookup, ChannelRuntime channel,
        IReadOnlyList<InboundItem> items, DateTimeOffset now, InboundTriage triage, CancellationToken ct)
    {
        var stored = 0;
        var waiting = 0;
        foreach (var item in items)
        {
            if (lookup.HasMessage(channel.Id, item.ExternalId))
                continue;

            Conversation? conversation;
            Guid contactId;
            var newContact = false;
            if (item.Customer is null)
            {
                conversation = FindConversation(lookup, channel, null, item);
                if (conversation is null)
                {
                    waiting++;
                    continue;
                }
                contactId = conversation.ContactId;
            }
            else
            {
                (contactId, newContact) = FindOrCreateContact(rows, lookup, channel, item.Customer, now);
                conversation = FindConversation(lookup, channel, contactId, item);
            }
            if (conversation is null)
            {
                conversation = new Conversation { BrandId = channel.BrandId, ChannelId = channel.Id, ContactId = contactId, CreatedAt = now };
                rows.Conversations.Add(conversation);
                lookup.Add(conversation);
                rows.Append("conversation.created", Subject(conversation), channel.BrandId,
                    new ConversationCreatedData(conversation.Id, channel.Id, contactId), now);
            }

            var message = new Message
            {
                ConversationId = conversation.Id,
                ChannelId = channel.Id,
                Direction = item.Direction,
                Visibility = item.Visibility,
                Text = item.Text,
                Author = item.Author,
                ExternalId = item.ExternalId,
                InReplyToExternalId = item.InReplyToExternalId,
                CreatedAt = item.CreatedAt,
                Media = [.. item.Media],
            };
            rows.Messages.Add(message);
            lookup.Add(message);
            var subject = Subject(conversation);
            conversation.Record(message);
            // Signals are computed before the conversation reopens: "thanks!" right after a resolution needs no answer.
            var triaged = item.Direction == MessageDirection.Inbound
                ? await triage.OnInboundAsync(db, conversation, message, newContact, item.Customer?.Followers, item.Customer?.Verified ?? false, channel.Kind, now, ct)
                : null;
            rows.Append(item.Direction == MessageDirection.Inbound ? "message.received" : "message.echoed",
                subject, channel.BrandId, MessageEventData.From(conversation, message, triaged?.Signals), now);
            IReadOnlyList<string> changes;
            if (triaged is { KeepResolved: true })
            {
                conversation.AcknowledgedWhileResolved(message);
                changes = [];
            }
            else changes = item.Direction == MessageDirection.Inbound
                ? conversation.CustomerWrote(now)
                : conversation.BrandReplied(message.CreatedAt);
            foreach (var type in changes)
                rows.Append(type, subject, channel.BrandId, ConversationEventData.From(conversation, item.Direction == MessageDirection.Inbound
                    ? EventActor.TheCustomer(conversation.ContactId, message.Author)
                    : new EventActor(EventActor.Person, null, message.Author), "message " + message.Id), now);
            // As TriageStore.AppendEvents with logPriority false: a message's own priority change is in its event.
            if (triaged is { Change.BecameReady: true } && conversation.Status == ConversationStatus.Open)
                rows.Append("triage.burst_completed", subject, conversation.BrandId, new TriageBurstCompletedData(conversation.Id,
                    conversation.Priority, StoredSignals.ReadReasons(conversation.PriorityReasons), conversation.BurstStartedAt, conversation.ReadyAt), now);
            stored++;
        }
        return (stored, waiting);
    }

    private static string Subject(Conversation c) => $"conversations/{c.Id}";

    /// <returns>The contact's id, and whether it was created in this batch (so it has no history to load).</returns>
    /// <remarks>Not <c>db.Contacts.Local</c>: it runs DetectChanges over the whole batch on every call, which made
    /// processing quadratic in the batch size (3 ms a message at 200 a batch).</remarks>
    private static (Guid Id, bool Created) FindOrCreateContact(ProcessedRows rows, ThreadingLookup lookup, ChannelRuntime channel, Party party,
        DateTimeOffset now)
    {
        if (lookup.Identity(channel.BrandId, party.Network, party.ExternalId) is { } identity)
        {
            // Keep what the network last told us; a later payload may lack a field an earlier one had.
            identity.Handle = party.Handle ?? identity.Handle;
            identity.DisplayName = party.DisplayName ?? identity.DisplayName;
            identity.Followers = party.Followers ?? identity.Followers;
            identity.Verified |= party.Verified;
            return (identity.ContactId, lookup.IsNewContact(identity.ContactId));
        }

        var contact = new Contact
        {
            BrandId = channel.BrandId,
            DisplayName = party.DisplayName ?? party.Handle ?? party.ExternalId,
            CreatedAt = now,
        };
        rows.Contacts.Add(contact);
        var created = new ContactIdentity
        {
            ContactId = contact.Id,
            BrandId = channel.BrandId,
            Network = party.Network,
            ExternalId = party.ExternalId,
            Handle = party.Handle,
            DisplayName = party.DisplayName,
            Followers = party.Followers,
            Verified = party.Verified,
        };
        rows.Identities.Add(created);
        lookup.Add(created);
        rows.Append("contact.created", $"contacts/{contact.Id}", channel.BrandId,
            new ContactCreatedData(contact.Id, party.Network, party.Handle), now);
        return (contact.Id, true);
    }

    private static Conversation? FindConversation(ThreadingLookup lookup, ChannelRuntime channel, Guid? contactId, InboundItem item)
    {
        // 1. A reply joins the conversation of the message it answers.
        if (item.InReplyToExternalId is { } parent && lookup.ConversationOfMessage(channel.Id, parent) is { } byParent)
            return byParent;
        // 2. Delivered out of order: a reply to this message is already here.
        if (lookup.ConversationOfReplyTo(channel.Id, item.ExternalId) is { } byChild)
            return byChild;

        // 3. The customer's open conversation on this channel, public or private alike, so that
        //    moving from a public reply to a DM keeps the context.
        return contactId is { } contact ? lookup.OpenConversation(channel.Id, contact) : null;
    }
}

/// <summary>The data of message events: enough for a subscriber to act without a second request. The text
/// has card numbers, IBANs, phone numbers, e-mail addresses and order numbers masked (docs/adr/0010);
/// an app that needs the original asks for it (POST .../messages/{id}/reveal), which is logged.</summary>
/// <param name="Signals">Triage signals of an inbound message.</param>
public sealed record MessageEventData(Guid ConversationId, Guid MessageId, string Direction, string Visibility,
    string Text, bool Masked, string Author, string? ExternalId, DateTimeOffset CreatedAt, MessageSignals? Signals)
{
    public static MessageEventData From(Conversation c, Message m, MessageSignals? signals = null)
    {
        var masked = SensitiveData.MaskSensitive(m.Text);
        return new(c.Id, m.Id, m.Direction.ToString().ToLowerInvariant(), m.Visibility.ToString().ToLowerInvariant(),
            masked, !string.Equals(masked, m.Text, StringComparison.Ordinal), m.Author, m.ExternalId, m.CreatedAt, signals);
    }
}
