using System.Globalization;
using Amqp.Types;

namespace PromLake.EventHubsFake;

internal enum StartKind
{
    Earliest,
    Latest,
    Offset,
    SequenceNumber,
    EnqueuedTime,
}

/// <summary>
///   Where a receiver starts reading, parsed from the selector filter on its attach. The client
///   (AmqpFilter.BuildFilterExpression) writes exactly one comparison:
///   <c>amqp.annotation.x-opt-offset &gt; -1</c> (earliest), <c>… x-opt-offset &gt; @latest</c>,
///   <c>… x-opt-offset &gt;= 1234</c>, <c>… x-opt-sequence-number &gt; 41</c>, or
///   <c>… x-opt-enqueued-time &gt; 1700000000000</c> (Unix milliseconds).
/// </summary>
internal readonly record struct StartPosition(StartKind Kind, long Value, bool Inclusive)
{
    public const string SelectorFilterName = "apache.org:selector-filter:string";

    private const string OffsetName = "amqp.annotation.x-opt-offset";
    private const string SequenceNumberName = "amqp.annotation.x-opt-sequence-number";
    private const string EnqueuedTimeName = "amqp.annotation.x-opt-enqueued-time";

    public static StartPosition Earliest => new(StartKind.Earliest, 0, Inclusive: true);

    /// <summary>Reads the start from a source's filter set; a receiver without a filter reads from the start.</summary>
    public static bool TryFromFilterSet(Map? filterSet, out StartPosition start, out string? problem)
    {
        start = Earliest;
        problem = null;
        if (filterSet is null || !filterSet.TryGetValue(new Symbol(SelectorFilterName), out var filter))
        {
            return true;
        }

        // The filter is a described value (descriptor 0x00000137:0x0000000A) around the expression string.
        var expression = filter switch
        {
            DescribedValue described => described.Value as string,
            string text => text,
            _ => null,
        };

        if (expression is null || !TryParse(expression, out start))
        {
            problem = $"The selector filter '{expression ?? filter?.ToString()}' is not one the fake broker understands.";
            return false;
        }

        return true;
    }

    public static bool TryParse(string expression, out StartPosition start)
    {
        start = Earliest;
        var parts = expression.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        if (parts.Length != 3 || (parts[1] != ">" && parts[1] != ">="))
        {
            return false;
        }

        var inclusive = parts[1] == ">=";
        var value = parts[2];
        switch (parts[0])
        {
            case OffsetName when value == "-1":
                start = Earliest;
                return true;
            case OffsetName when value == "@latest":
                start = new StartPosition(StartKind.Latest, 0, inclusive);
                return true;
            case OffsetName:
                return TryNumber(value, StartKind.Offset, inclusive, out start);
            case SequenceNumberName:
                return TryNumber(value, StartKind.SequenceNumber, inclusive, out start);
            case EnqueuedTimeName:
                return TryNumber(value, StartKind.EnqueuedTime, inclusive, out start);
            default:
                return false;
        }
    }

    private static bool TryNumber(string text, StartKind kind, bool inclusive, out StartPosition start)
    {
        var parsed = long.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var value);
        start = new StartPosition(kind, value, inclusive);
        return parsed;
    }
}
