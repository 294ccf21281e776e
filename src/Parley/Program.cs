using Parley;
using Parley.Demo;


// parley serve  : the server alone
// parley demo   : the server on http://127.0.0.1:5080 with SQLite, the network simulator and a replay of real conversations
var command = args.FirstOrDefault() is { } first && !first.StartsWith('-') ? first : "serve";
var rest = args.SkipWhile(a => !a.StartsWith('-')).ToArray();

switch (command)
{
    case "serve":
        await ParleyApp.Build(rest).RunAsync();
        return 0;
    case "demo":
        await DemoCommand.RunAsync(rest);
        return 0;
    default:
        await Console.Error.WriteLineAsync($"Unknown command '{command}'. Use 'serve' or 'demo'.");
        return 2;
}

/// <summary>Entry point, visible to the test host.</summary>
public partial class Program;
