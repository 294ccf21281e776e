using System.Collections.Concurrent;
using System.Diagnostics;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;

namespace Parley.Tests.Infrastructure;

/// <summary>The SQL EF Core runs in this process while it is alive (from its DiagnosticListener), with each command's
/// parameters, so a test can ask SQLite how it plans a statement the product really sends.</summary>
public sealed class CommandCapture : IObserver<DiagnosticListener>, IObserver<KeyValuePair<string, object?>>, IDisposable
{
    public sealed record Command(string Sql, IReadOnlyList<(string Name, object? Value)> Parameters);

    private readonly IDisposable _all;
    private readonly ConcurrentBag<IDisposable> _subscriptions = [];

    public ConcurrentQueue<Command> Commands { get; } = new();

    public CommandCapture() => _all = DiagnosticListener.AllListeners.Subscribe(this);

    public void OnNext(DiagnosticListener value)
    {
        if (value.Name == DbLoggerCategory.Name)
            _subscriptions.Add(value.Subscribe(this, name => name == RelationalEventId.CommandExecuted.Name));
    }

    public void OnNext(KeyValuePair<string, object?> value)
    {
        if (value.Value is CommandExecutedEventData d)
            Commands.Enqueue(new Command(d.Command.CommandText,
                [.. d.Command.Parameters.Cast<System.Data.Common.DbParameter>().Select(p => (p.ParameterName, p.Value))]));
    }

    public void OnCompleted() { }
    public void OnError(Exception error) { }

    public void Dispose()
    {
        _all.Dispose();
        foreach (var s in _subscriptions) s.Dispose();
    }
}
