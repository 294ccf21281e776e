using System.Xml;

namespace Parley.Promises;

public enum ClockEventKind { Warning, Breached }

/// <summary>A warning or breach to announce once. <see cref="Key"/> is unique within a conversation and is
/// what the caller persists: "ack:1:warning:PT30M", "ack:1:breached", "next:1.3:breached",
/// "resolve:2:breached" (the number is the cycle; reopening starts cycle 2).</summary>
/// <param name="At">When the threshold was crossed, which may be before the sweep noticed.</param>
/// <param name="LeadTime">For a warning, how long before the target it fires.</param>
public sealed record ClockEvent(string Key, ClockKind Clock, string Cycle, ClockEventKind Kind, DateTimeOffset At, TimeSpan? LeadTime)
{
    public static string KeyFor(ClockKind clock, string cycle, ClockEventKind kind, TimeSpan? leadTime = null)
    {
        var name = clock switch
        {
            ClockKind.Acknowledge => "ack",
            ClockKind.NextResponse => "next",
            _ => "resolve",
        };
        return kind == ClockEventKind.Breached
            ? $"{name}:{cycle}:breached"
            : $"{name}:{cycle}:warning:{XmlConvert.ToString(leadTime ?? TimeSpan.Zero)}";
    }
}
