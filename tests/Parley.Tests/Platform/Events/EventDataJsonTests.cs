using System.Collections;
using System.Reflection;
using System.Text.Json;
using Parley.Platform.Events;

namespace Parley.Tests.Platform.Events;

/// <summary>Event data is written through source-generated metadata (docs/adr/0033), and the published log must not
/// change by a byte: for every catalogued record, filled once with every optional value left out and once with every
/// value set (text that needs escaping, numbers, times with offsets, lists, nested records), the stored JSON is the
/// JSON reflection-based System.Text.Json writes with the log's settings.</summary>
public sealed class EventDataJsonTests
{
    public static TheoryData<string> Types() => [.. EventCatalogue.All.Select(t => t.Name)];

    [Theory]
    [MemberData(nameof(Types))]
    public void Event_data_is_stored_byte_for_byte_as_reflection_writes_it(string type)
    {
        var catalogued = EventCatalogue.Find(type)!;
        foreach (var full in new[] { false, true })
        {
            var data = Sample.Of(catalogued.DataType, full, depth: 0)!;
            var expected = JsonSerializer.Serialize(data, catalogued.DataType, JsonSerializerOptions.Web);
            var stored = EventLog.Create(type, "conversations/x", null, data, DateTimeOffset.UnixEpoch).Data;
            Assert.Equal(expected, stored);
        }
    }

    [Fact]
    public void Every_catalogued_record_has_source_generated_metadata()
    {
        var missing = EventCatalogue.All.Select(t => t.DataType).Distinct()
            .Where(t => Parley.Platform.Events.EventDataJson.Default.GetTypeInfo(t) is null).Select(t => t.Name).ToList();
        Assert.Empty(missing);
    }

    /// <summary>Sample values by reflection: a record through its longest constructor (or its settable properties),
    /// nullable values null unless <c>full</c>, lists of two (or none), strings that JSON must escape.</summary>
    private static class Sample
    {
        private static readonly NullabilityInfoContext Nullability = new();
        private const string Text = "Ünïcode <b>&amp;</b> \"quoted\" \\ ✓ 😀 \u2028 line\nnext";

        public static object? Of(Type t, bool full, int depth, bool nullable = false)
        {
            if (nullable && !full) return null;
            var inner = Nullable.GetUnderlyingType(t);
            if (inner is not null) return full ? Of(inner, full, depth) : null;
            if (t == typeof(string)) return Text;
            if (t == typeof(Guid)) return Guid.Parse("0193a2b4-1234-7abc-8def-0123456789ab");
            if (t == typeof(bool)) return true;
            if (t == typeof(int)) return -42;
            if (t == typeof(long)) return 9_007_199_254_740_993L;
            if (t == typeof(double)) return 0.1 + 0.2;
            if (t == typeof(float)) return 1.1f;
            if (t == typeof(decimal)) return 12345.6780m;
            if (t == typeof(DateTimeOffset)) return new DateTimeOffset(2026, 12, 5, 6, 7, 8, TimeSpan.FromHours(2)).AddTicks(1_234_567);
            if (t == typeof(DateTime)) return new DateTime(2026, 12, 5, 6, 7, 8, DateTimeKind.Utc).AddTicks(7);
            if (t == typeof(TimeSpan)) return new TimeSpan(1, 2, 3, 4, 567);
            if (t == typeof(DateOnly)) return new DateOnly(2026, 12, 24);
            if (t == typeof(TimeOnly)) return new TimeOnly(17, 30, 15);
            if (t.IsEnum) return Enum.GetValues(t).GetValue(Enum.GetValues(t).Length - 1);
            if (t == typeof(JsonElement)) return JsonDocument.Parse("""{"plan":"gold","seats":3,"tags":["a","ü"],"none":null}""").RootElement.Clone();
            if (List(t) is { } element)
            {
                var list = (IList)Activator.CreateInstance(typeof(List<>).MakeGenericType(element))!;
                if (full && depth < 4)
                    for (var i = 0; i < 2; i++) list.Add(Of(element, full, depth + 1));
                if (!t.IsArray) return list;
                var array = Array.CreateInstance(element, list.Count);
                list.CopyTo(array, 0);
                return array;
            }
            return Record(t, full, depth);
        }

        private static Type? List(Type t) =>
            t.IsArray ? t.GetElementType()
            : t.IsGenericType && t.GetGenericTypeDefinition() is var d && (d == typeof(IReadOnlyList<>) || d == typeof(List<>)
                || d == typeof(IList<>) || d == typeof(IEnumerable<>) || d == typeof(IReadOnlyCollection<>)) ? t.GetGenericArguments()[0]
            : null;

        private static object Record(Type t, bool full, int depth)
        {
            var constructor = t.GetConstructors().OrderByDescending(c => c.GetParameters().Length).First();
            var parameters = constructor.GetParameters();
            var instance = constructor.Invoke([.. parameters.Select(p =>
                Of(p.ParameterType, full, depth + 1, Nullability.Create(p).WriteState == NullabilityState.Nullable))]);
            if (parameters.Length == 0)
                foreach (var property in t.GetProperties().Where(p => p.SetMethod is { IsPublic: true }))
                    property.SetValue(instance, Of(property.PropertyType, full, depth + 1,
                        Nullability.Create(property).WriteState == NullabilityState.Nullable));
            return instance;
        }
    }
}
