using System.Text.RegularExpressions;

namespace PromLake.Query.Model;

public enum MatcherType
{
    Equal,
    NotEqual,
    Regexp,
    NotRegexp,
}

/// <summary>
/// One label matcher of a selector. Regexes are fully anchored, as in Prometheus
/// (<c>^(?s:…)$</c>). They run on .NET's engine, not RE2: RE2 has no look-around or
/// back-references (we accept them), and <c>\d</c>, <c>\w</c> here also match non-ASCII digits and letters.
/// </summary>
public sealed class LabelMatcher
{
    private readonly Regex? _regex;

    public LabelMatcher(MatcherType type, string name, string value)
    {
        Type = type;
        Name = name;
        Value = value;
        if (type is MatcherType.Regexp or MatcherType.NotRegexp)
        {
            _regex = CompileAnchored(value);
        }
    }

    public MatcherType Type { get; }

    public string Name { get; }

    public string Value { get; }

    public bool Matches(string value) => Type switch
    {
        MatcherType.Equal => value == Value,
        MatcherType.NotEqual => value != Value,
        MatcherType.Regexp => _regex!.IsMatch(value),
        MatcherType.NotRegexp => !_regex!.IsMatch(value),
        _ => false,
    };

    public bool Matches(Labels labels) => Matches(labels.Get(Name));

    /// <summary>Compiles an RE2-style pattern anchored at both ends (dot matches newline, as Prometheus).</summary>
    public static Regex CompileAnchored(string pattern)
    {
        try
        {
            return new Regex("^(?:" + TranslateRe2(pattern) + ")\\z", RegexOptions.Singleline | RegexOptions.CultureInvariant);
        }
        catch (ArgumentException ex)
        {
            throw new ArgumentException($"invalid regular expression \"{pattern}\": {ex.Message}", ex);
        }
    }

    /// <summary>Rewrites RE2-only syntax that .NET spells differently (named groups <c>(?P&lt;name&gt;…)</c>).</summary>
    internal static string TranslateRe2(string pattern) => pattern.Replace("(?P<", "(?<", StringComparison.Ordinal);

    public override string ToString()
    {
        var op = Type switch
        {
            MatcherType.Equal => "=",
            MatcherType.NotEqual => "!=",
            MatcherType.Regexp => "=~",
            _ => "!~",
        };
        var name = Labels.IsLegacyLabelName(Name) ? Name : Labels.Quote(Name);
        return name + op + Labels.Quote(Value);
    }
}
