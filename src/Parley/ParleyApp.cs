using Microsoft.AspNetCore.DataProtection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.OpenApi;
using Parley.Channels;
using Parley.Channels.Meta;
using Parley.Channels.X;
using Parley.Conversations;
using Parley.Data;
using Parley.Ingest;
using Parley.Knowledge;
using Parley.Platform;
using Parley.Platform.Apps;
using Parley.Platform.Audit;
using Parley.Platform.Embed;
using Parley.Platform.Webhooks;
using Parley.Platform.Events;
using Parley.Platform.Keys;
using Parley.Platform.People;
using Parley.Promises;
using Parley.Triage;
using Parley.Routing;
using Parley.Templates;
using Parley.Web;
using Scalar.AspNetCore;

namespace Parley;

/// <summary>Composes the server: services, background workers and endpoints. Program, the tests
/// and the benchmarks all start Parley through here.</summary>
public static class ParleyApp
{
    public static WebApplication Build(string[] args, Action<WebApplicationBuilder>? configure = null)
    {
        // Settings files ship beside the binary; ./data/ stays relative to where Parley is started.
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { Args = args, ContentRootPath = AppContext.BaseDirectory });
        configure?.Invoke(builder);
        var config = builder.Configuration;
        var database = config["Parley:Database"] is { Length: > 0 } d ? d : "data/parley.db";
        var keysPath = config["Parley:KeysPath"] is { Length: > 0 } k ? k
            : Path.Combine(DatabaseSetup.IsPostgres(database) ? "data" : Path.GetDirectoryName(Path.GetFullPath(database))!, "keys");

        var services = builder.Services;
        // TryAdd: a test may bring its own clock.
        services.TryAddSingleton(TimeProvider.System);
        services.AddParleyDatabase(database);
        // SQLite acknowledges a webhook once it is in the ingest journal (docs/adr/0045).
        if (Ingest.Journal.JournalSettings.From(config, database) is { } journal) services.AddSingleton(journal);
        services.AddDataProtection().SetApplicationName("Parley").PersistKeysToFileSystem(new DirectoryInfo(keysPath));
        services.AddProblemDetails();
        // Enums are words in the API ("monday", "public"), never numbers.
        services.ConfigureHttpJsonOptions(o => o.SerializerOptions.Converters.Add(
            new System.Text.Json.Serialization.JsonStringEnumConverter(System.Text.Json.JsonNamingPolicy.CamelCase)));
        services.AddMemoryCache();
        services.AddOpenApi(o => o.AddDocumentTransformer((doc, _, _) =>
        {
            doc.Info = new OpenApiInfo
            {
                Title = "Parley API", Version = "v1", Description = "Social customer care: conversations, replies, channels and the event log.",
                Contact = new OpenApiContact { Name = "The operators of this Parley installation" },
            };
            doc.Components ??= new OpenApiComponents();
            doc.Components.SecuritySchemes ??= new Dictionary<string, IOpenApiSecurityScheme>();
            doc.Components.SecuritySchemes["bearer"] = new OpenApiSecurityScheme { Type = SecuritySchemeType.Http, Scheme = "bearer", Description = "An API key: Authorization: Bearer <key>" };
            return Task.CompletedTask;
        }).AddScopes().AddParleyConventions());

        // API keys for applications, session cookies (with anti-forgery) for people; see ADR 9.
        services.AddParleySessions();
        services.AddKeyRateLimits();
        services.AddSingleton<WebAssets>();
        services.AddSingleton<AuditLog>();
        services.Configure<AuditOptions>(config.GetSection("Parley:Audit"));
        services.AddSingleton<RefusalThrottle>();
        services.AddHostedService<RefusalFlush>();
        services.AddSingleton<EmbedTokens>();
        services.AddSingleton<Presence>();
        services.AddSingleton<LiveFeed>();

        services.AddHttpClient("networks", c => c.Timeout = Timeout.InfiniteTimeSpan);
        services.AddSingleton<IReplySender, XReplySender>();
        services.AddSingleton<IReplySender, MetaReplySender>();

        services.Configure<IngestOptions>(config.GetSection("Parley:Ingest"));
        services.Configure<DeliveryOptions>(config.GetSection("Parley:Delivery"));
        services.Configure<TriageOptions>(config.GetSection("Parley:Triage"));
        services.AddSingleton<ChannelDirectory>();
        services.AddSingleton<EventSignal>();
        services.AddSingleton<InboundSignal>();
        services.AddSingleton<DeliverySignal>();
        services.AddSingleton<WebhookIngest>();
        services.AddSingleton<ParsedDeliveries>();
        services.AddSingleton<IngestPressure>();

        // Hosted services start in this order; the database must be ready before any worker runs.
        services.AddHostedService<DatabaseInitializer>();
        services.AddSingleton<IngestWriter>();
        services.AddHostedService(sp => sp.GetRequiredService<IngestWriter>());
        services.AddSingleton<InboundProcessor>();
        services.AddHostedService(sp => sp.GetRequiredService<InboundProcessor>());
        services.AddSingleton<ReplyDispatcher>();
        services.AddHostedService(sp => sp.GetRequiredService<ReplyDispatcher>());
        services.AddSingleton<WakeSnoozedConversations>();
        services.AddHostedService(sp => sp.GetRequiredService<WakeSnoozedConversations>());
        services.AddSingleton<ServiceLevelSweep>();
        services.AddHostedService(sp => sp.GetRequiredService<ServiceLevelSweep>());
        services.AddSingleton<PatienceWindowSweep>();
        services.AddHostedService(sp => sp.GetRequiredService<PatienceWindowSweep>());
        services.AddSingleton<TriageRecompute>();
        services.AddHostedService(sp => sp.GetRequiredService<TriageRecompute>());
        services.AddSingleton<AgentConnections>();
        services.AddSingleton<Assigner>();
        services.AddSingleton<ConversationRouter>();
        services.AddSingleton<AutoAssignment>();
        services.AddSingleton<RoutingWorker>();
        services.AddHostedService(sp => sp.GetRequiredService<RoutingWorker>());
        services.AddSingleton<TimerActions>();
        services.AddSingleton<TimerSweep>();
        services.AddHostedService(sp => sp.GetRequiredService<TimerSweep>());
        services.Configure<WebhookOptions>(config.GetSection("Parley:Webhooks"));
        services.AddSingleton<WebhookSignal>();
        services.AddHttpClient(WebhookDispatcher.HttpClientName, (sp, c) =>
                c.Timeout = sp.GetRequiredService<Microsoft.Extensions.Options.IOptions<WebhookOptions>>().Value.AttemptTimeout + TimeSpan.FromSeconds(1))
            .ConfigurePrimaryHttpMessageHandler(sp => WebhookDispatcher.Handler(sp.GetRequiredService<Microsoft.Extensions.Options.IOptionsMonitor<WebhookOptions>>()))
            // Each attempt is in the delivery log; the factory's four log lines per request cost CPU at 20,000 a second (ADR 25).
            .RemoveAllLoggers();
        services.AddSingleton<WebhookSender>();
        services.AddSingleton<WebhookFanOut>();
        services.AddHostedService(sp => sp.GetRequiredService<WebhookFanOut>());
        services.AddSingleton<WebhookDispatcher>();
        services.AddHostedService(sp => sp.GetRequiredService<WebhookDispatcher>());
        services.AddSingleton<XMentionsPoller>();
        services.AddHostedService(sp => sp.GetRequiredService<XMentionsPoller>());
        services.AddHostedService(sp => sp.GetRequiredService<LiveFeed>());

        var app = builder.Build();
        app.UseForwardedHeadersIfConfigured(config);
        app.UseExceptionHandler();
        app.UseStatusCodePages();
        WebAssets.UseWebAssets(app);
        // Outside authentication, so refused requests are recorded too (docs/adr/0018).
        app.UseAuditTrail();
        // GET /api/v1/events/ws: pings are set per connection (EventWebSocket).
        app.UseWebSockets();
        app.UseAuthentication();
        app.UseRateLimiter();
        app.UseSessionAntiforgery();
        app.UseAuthorization();
        app.UseEventPulseAfterWrites();

        app.MapOpenApi("/openapi/{documentName}.json");
        app.MapScalarApiReference("/docs", o => o.WithTitle("Parley API").WithOpenApiRoutePattern("/openapi/{documentName}.json"));
        app.MapGet("/healthz", () => Results.Ok(new { status = "ok" })).ExcludeFromDescription();

        app.MapXWebhooks();
        app.MapMetaWebhooks();

        // Every /api/v1 endpoint is for a signed-in person or an API key. What an app's key needs is declared
        // here and only here, group by group (docs/adr/0015); an endpoint that declares nothing needs `admin`.
        // People are not checked against scopes: their role decides (the admin policy, Viewer).
        var api = app.MapGroup("/api/v1").RequireAuthorization().RequireAuthorization(ScopeRequirement.Policy);
        // Operating the installation (brands, channels, the raw log, the whole event log) is for admins;
        // people see conversations through Viewer's rule and follow them through /api/v1/live.
        var admin = api.MapGroup("").RequireAuthorization(Sessions.Policies.Admin);
        admin.MapBrandEndpoints();
        admin.MapAppReplyRules();
        admin.MapChannelEndpoints();
        admin.MapInboundEndpoints();
        admin.MapServiceLevelEndpoints();
        admin.MapAppEndpoints();
        admin.MapWebhookEndpoints();
        admin.MapAuditEndpoints();
        admin.MapGroup("").RequireScope(ApiScopes.EventsRead).MapEventEndpoints();
        // An app manages its own subscriptions with the scope that lets it receive them (docs/adr/0019).
        api.MapGroup("").RequireScope(ApiScopes.EventsRead).MapOwnWebhookEndpoints();

        var conversations = api.MapGroup("/conversations").WithTags("Conversations").RequireScopes(ApiScopes.ConversationsRead, ApiScopes.ConversationsWrite);
        var contacts = api.MapGroup("").RequireScopes(ApiScopes.ContactsRead, ApiScopes.ContactsWrite);
        conversations.MapListConversations();
        conversations.MapGetConversation();
        conversations.MapChangeConversationState();
        conversations.MapAssignConversation();
        conversations.MapTakeConversation();
        conversations.MapNotes(contacts);
        // Apps acting in conversations (docs/adr/0017): tags, the commands on offer, proposed replies.
        conversations.MapTags();
        conversations.MapConversationCommands();
        conversations.MapProposals();
        var sending = api.MapGroup("/conversations").WithTags("Conversations").RequireScope(ApiScopes.MessagesSend);
        sending.MapSendReply();
        sending.MapRetryReply();
        sending.MapProposalDecisions();
        // An app registers its own hashtag commands (checked in the handler); admins any app's.
        api.MapGroup("/apps").WithTags("Apps").RequireScope(ApiScopes.ConversationsWrite).MapAppCommands();
        // The knowledge base: apps with knowledge:write write it; reading is part of following conversations.
        api.MapGroup("/knowledge").WithTags("Knowledge").RequireScopes(ApiScopes.ConversationsRead, ApiScopes.KnowledgeWrite).MapKnowledge();
        // Unmasking a customer's card number is not part of any app's job.
        api.MapGroup("/conversations").WithTags("Conversations").RequireScope(ApiScopes.Admin).MapRevealMessage();
        contacts.MapGetContact();
        contacts.MapContactFacts();
        contacts.MapContactCard();
        // Minting an embed token changes nothing: reading the contact is enough.
        api.MapGroup("").RequireScope(ApiScopes.ContactsRead).MapEmbedTokenEndpoint();
        contacts.MapMergeContacts();

        var following = api.MapGroup("").RequireScopes(ApiScopes.ConversationsRead, ApiScopes.ConversationsWrite);
        following.MapInbox();
        following.MapLiveEndpoints();
        following.MapClockEndpoints();
        following.MapClockSummaries();

        // Settings and people: admin for apps.
        api.MapTriageSettingsEndpoints();
        api.MapUserEndpoints();
        api.MapTeamEndpoints();
        api.MapSavedViews();
        api.MapNotificationEndpoints();
        api.MapQueueEndpoints();
        api.MapRoutingRuleEndpoints();
        api.MapAgentEndpoints();
        api.MapTimerRuleEndpoints();
        api.MapTemplateEndpoints();
        app.MapWorkspace();
        app.MapEmbedPages();
        return app;
    }
}
