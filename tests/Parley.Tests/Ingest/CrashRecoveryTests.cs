using System.Collections.Concurrent;
using System.Data.Common;
using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Net.Sockets;
using System.Text.Json;
using Microsoft.Data.Sqlite;
using Npgsql;
using Parley.Simulator;
using Parley.Tests.Infrastructure;

namespace Parley.Tests.IngestTests;

/// <summary>Runs Parley as a real process and kills it (SIGKILL) while webhooks are arriving.</summary>
public sealed class CrashRecoveryTests
{
    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task Every_acknowledged_webhook_survives_a_killed_process_and_is_stored_exactly_once(string provider)
    {
        await using var database = await TestDatabase.CreateAsync(provider);
        var port = FreePort();
        using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}"), Timeout = TimeSpan.FromSeconds(10) };
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", TestParley.AdminKey);

        var first = StartParley(database, port);
        Guid channel;
        try
        {
            await WaitUntilUpAsync(http, first);
            channel = await CreateXChannelAsync(http);

            var acknowledged = new ConcurrentBag<string>();
            using var killed = new CancellationTokenSource();
            var senders = Enumerable.Range(0, 8).Select(w => Task.Run(async () =>
            {
                for (var i = 0; !killed.IsCancellationRequested && i < 1000; i++)
                {
                    var id = $"{7_000_000 + w * 1000 + i}";
                    var body = XPayloads.TweetCreate("123", new SimTweetEvent(id, $"@acme help #{id}",
                        new SimXUser($"{500 + (i % 40)}", $"user{i % 40}", "User"), DateTimeOffset.UtcNow));
                    using var request = new HttpRequestMessage(HttpMethod.Post, $"/webhooks/x/{channel}") { Content = new ByteArrayContent(body) };
                    request.Headers.Add(XWebhookSigner.Header, XWebhookSigner.Sign("DDD", body));
                    try
                    {
                        using var response = await http.SendAsync(request);
                        if (response.StatusCode == HttpStatusCode.OK) acknowledged.Add(id);
                    }
                    catch (HttpRequestException) { } // the process is gone: not acknowledged
                    catch (TaskCanceledException) { }
                }
            })).ToArray();

            while (acknowledged.Count < 150) await Task.Delay(5);
            first.Kill(entireProcessTree: true);
            await killed.CancelAsync();
            await Task.WhenAll(senders);
            await first.WaitForExitAsync();

            var second = StartParley(database, port);
            try
            {
                await WaitUntilUpAsync(http, second);
                await WaitForProcessingAsync(http);
                var stored = await CountByExternalIdAsync(database);
                var missing = acknowledged.Where(id => !stored.ContainsKey(id)).ToList();
                Assert.Empty(missing);
                Assert.All(stored, kv => Assert.Equal(1, kv.Value));
            }
            finally { second.Kill(entireProcessTree: true); await second.WaitForExitAsync(); }
        }
        finally
        {
            if (!first.HasExited) { first.Kill(entireProcessTree: true); await first.WaitForExitAsync(); }
        }
    }

    /// <summary>On SQLite a webhook is acknowledged once it is in the ingest journal, and moved into the database after
    /// (ADR 45). Here the database refuses every write (this test holds SQLite's write lock), so the deliveries are
    /// acknowledged and never moved before the process is killed: the next start must move each one, once.</summary>
    [Fact]
    public async Task Deliveries_acknowledged_but_not_yet_moved_into_the_database_survive_a_killed_process_once()
    {
        await using var database = await TestDatabase.CreateAsync(TestDatabase.Sqlite);
        var port = FreePort();
        using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}"), Timeout = TimeSpan.FromSeconds(10) };
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", TestParley.AdminKey);

        var first = StartParley(database, port);
        var acknowledged = new List<string>();
        try
        {
            await WaitUntilUpAsync(http, first);
            var channel = await CreateXChannelAsync(http);

            // Not pooled: disposing it must end its transaction and release the lock before the restart.
            await using var locker = new SqliteConnection($"Data Source={database.ConnectionString};Pooling=False");
            await locker.OpenAsync();
            await using (var begin = locker.CreateCommand())
            {
                begin.CommandText = "BEGIN IMMEDIATE";
                await begin.ExecuteNonQueryAsync();
            }
            // Background workers that write (sweeps, the processor) block thread-pool threads in SQLite's busy wait while
            // the lock is held, and the pool adds threads only slowly: the webhooks are sent at once and given time.
            using var patient = new HttpClient { BaseAddress = http.BaseAddress, Timeout = TimeSpan.FromSeconds(60) };
            var answers = await Task.WhenAll(Enumerable.Range(0, 40).Select(async i =>
            {
                var id = $"{8_000_000 + i}";
                var body = XPayloads.TweetCreate("123", new SimTweetEvent(id, $"@acme help #{id}", new SimXUser("501", "user1", "User"), DateTimeOffset.UtcNow));
                using var request = new HttpRequestMessage(HttpMethod.Post, $"/webhooks/x/{channel}") { Content = new ByteArrayContent(body) };
                request.Headers.Add(XWebhookSigner.Header, XWebhookSigner.Sign("DDD", body));
                using var response = await patient.SendAsync(request);
                return (id, response.StatusCode);
            }));
            Assert.All(answers, a => Assert.Equal(HttpStatusCode.OK, a.StatusCode));
            acknowledged.AddRange(answers.Select(a => a.id));
            // None of them reached the database: the write lock was never given up.
            await using (var count = locker.CreateCommand())
            {
                count.CommandText = "SELECT COUNT(*) FROM \"InboundEvents\"";
                Assert.Equal(0L, (long)(await count.ExecuteScalarAsync())!);
            }
            first.Kill(entireProcessTree: true);
            await first.WaitForExitAsync();
        }
        finally
        {
            if (!first.HasExited) { first.Kill(entireProcessTree: true); await first.WaitForExitAsync(); }
        }

        var second = StartParley(database, port);
        try
        {
            await WaitUntilUpAsync(http, second);
            await WaitForProcessingAsync(http);
            var stored = await CountByExternalIdAsync(database);
            Assert.Equal(acknowledged.Order(), stored.Keys.Order());
            Assert.All(stored, kv => Assert.Equal(1, kv.Value));
        }
        finally { second.Kill(entireProcessTree: true); await second.WaitForExitAsync(); }
    }

    /// <summary>A brand and its X channel (consumer secret "DDD"), through the API of the server under test.</summary>
    private static async Task<Guid> CreateXChannelAsync(HttpClient http)
    {
        var brand = await (await http.PostAsJsonAsync("/api/v1/brands", new { name = "Crash" })).Content.ReadFromJsonAsync<JsonElement>();
        var created = await http.PostAsJsonAsync("/api/v1/channels", new
        {
            kind = "x", brandId = brand.GetProperty("id").GetGuid(),
            settings = new { accountId = "123", consumerSecret = "DDD", accessToken = "t", apiBaseUrl = "http://127.0.0.1:9" },
        });
        return (await created.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetGuid();
    }

    private static Process StartParley(TestDatabase database, int port)
    {
        var info = new ProcessStartInfo(Path.Combine(AppContext.BaseDirectory, "Parley"), ["serve", "--urls", $"http://127.0.0.1:{port}"])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = database.Folder,
        };
        info.Environment["Parley__Database"] = database.ConnectionString;
        info.Environment["Parley__KeysPath"] = Path.Combine(database.Folder, "keys");
        info.Environment["Parley__AdminKey"] = TestParley.AdminKey;
        info.Environment["Logging__LogLevel__Default"] = "Warning";
        var process = Process.Start(info)!;
        // Kept so that a server that fails to start can say why.
        process.OutputDataReceived += (_, e) => { if (e.Data is { } line) Output.Enqueue(line); };
        process.ErrorDataReceived += (_, e) => { if (e.Data is { } line) Output.Enqueue(line); };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return process;
    }

    private static readonly ConcurrentQueue<string> Output = new();

    /// <summary>Waits for /healthz; a loaded machine may take a while to start a process and migrate.</summary>
    private static async Task WaitUntilUpAsync(HttpClient http, Process process)
    {
        var until = DateTime.UtcNow.AddSeconds(90);
        while (DateTime.UtcNow < until && !process.HasExited)
        {
            try { if ((await http.GetAsync("/healthz")).IsSuccessStatusCode) return; }
            catch (HttpRequestException) { }
            catch (TaskCanceledException) { }
            await Task.Delay(100);
        }
        Assert.Fail((process.HasExited ? $"Parley exited with {process.ExitCode} while starting." : "Parley did not start within 90 seconds.")
            + "\n" + string.Join("\n", Output.TakeLast(40)));
    }

    /// <summary>Waits until nothing is pending. This test is about durability, not speed: on a busy
    /// machine processing may be slow, so it fails only when 30 seconds pass without progress.</summary>
    private static async Task WaitForProcessingAsync(HttpClient http)
    {
        var until = DateTime.UtcNow.AddSeconds(30);
        var least = long.MaxValue;
        while (DateTime.UtcNow < until)
        {
            var stats = await http.GetFromJsonAsync<JsonElement>("/api/v1/inbound/stats");
            if (!stats.GetProperty("byStatus").TryGetProperty("pending", out var pending)) return;
            if (pending.GetInt64() < least)
            {
                least = pending.GetInt64();
                until = DateTime.UtcNow.AddSeconds(30);
            }
            await Task.Delay(100);
        }
        Assert.Fail($"{least} deliveries were still pending, with no progress for 30 seconds after the restart.\n"
            + string.Join("\n", Output.TakeLast(60)));
    }

    private static async Task<Dictionary<string, int>> CountByExternalIdAsync(TestDatabase database)
    {
        await using DbConnection connection = database.Provider == TestDatabase.Postgres
            ? new NpgsqlConnection(database.ConnectionString)
            : new SqliteConnection($"Data Source={database.ConnectionString}");
        await connection.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT \"ExternalId\", COUNT(*) FROM \"Messages\" GROUP BY \"ExternalId\"";
        var counts = new Dictionary<string, int>();
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync()) counts[reader.GetString(0)] = Convert.ToInt32(reader.GetValue(1), System.Globalization.CultureInfo.InvariantCulture);
        return counts;
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
