using System.IO.Hashing;
using System.Text;

namespace PromLake.Query.Model;

/// <summary>One label pair of a series.</summary>
public readonly record struct Label(string Name, string Value);

/// <summary>
/// An immutable label set, sorted by name, as Prometheus's <c>labels.Labels</c>:
/// equality, ordering (<see cref="CompareTo"/>) and <see cref="StableHash"/> follow it.
/// </summary>
public sealed class Labels : IEquatable<Labels>, IComparable<Labels>
{
    public const string MetricName = "__name__";

    public static readonly Labels Empty = new([]);

    private readonly Label[] _labels;
    private int _hashCode;

    private Labels(Label[] sorted) => _labels = sorted;

    public int Count => _labels.Length;

    public Label this[int index] => _labels[index];

    public ReadOnlySpan<Label> AsSpan() => _labels;

    /// <summary>Builds a label set from pairs in any order; empty values are dropped, as Prometheus does.</summary>
    public static Labels FromPairs(IEnumerable<Label> pairs)
    {
        var list = new List<Label>();
        foreach (var p in pairs)
        {
            if (p.Value.Length > 0)
            {
                list.Add(p);
            }
        }

        list.Sort(static (a, b) => string.CompareOrdinal(a.Name, b.Name));
        for (var i = list.Count - 1; i > 0; i--)
        {
            if (list[i].Name == list[i - 1].Name)
            {
                list.RemoveAt(i - 1);
            }
        }

        return list.Count == 0 ? Empty : new Labels([.. list]);
    }

    public static Labels FromStrings(params string[] nameValues)
    {
        if (nameValues.Length % 2 != 0)
        {
            throw new ArgumentException("Expected name/value pairs.", nameof(nameValues));
        }

        var pairs = new Label[nameValues.Length / 2];
        for (var i = 0; i < pairs.Length; i++)
        {
            pairs[i] = new Label(nameValues[2 * i], nameValues[2 * i + 1]);
        }

        return FromPairs(pairs);
    }

    internal static Labels FromSortedUnchecked(Label[] sorted) => sorted.Length == 0 ? Empty : new Labels(sorted);

    public string Get(string name)
    {
        foreach (var l in _labels)
        {
            if (l.Name == name)
            {
                return l.Value;
            }
        }

        return string.Empty;
    }

    public bool Has(string name)
    {
        foreach (var l in _labels)
        {
            if (l.Name == name)
            {
                return true;
            }
        }

        return false;
    }

    public string MetricNameOrEmpty => Get(MetricName);

    public Labels DropMetricName() => Has(MetricName) ? Without(MetricName) : this;

    public Labels Without(params string[] names)
    {
        var kept = new List<Label>(_labels.Length);
        foreach (var l in _labels)
        {
            if (Array.IndexOf(names, l.Name) < 0)
            {
                kept.Add(l);
            }
        }

        return kept.Count == _labels.Length ? this : FromSortedUnchecked([.. kept]);
    }

    public Labels WithoutSet(IReadOnlyCollection<string> names, bool alsoMetricName)
    {
        var kept = new List<Label>(_labels.Length);
        foreach (var l in _labels)
        {
            if (alsoMetricName && l.Name == MetricName)
            {
                continue;
            }

            if (!names.Contains(l.Name))
            {
                kept.Add(l);
            }
        }

        return kept.Count == _labels.Length ? this : FromSortedUnchecked([.. kept]);
    }

    public Labels Keep(IReadOnlyCollection<string> names)
    {
        var kept = new List<Label>(names.Count);
        foreach (var l in _labels)
        {
            if (names.Contains(l.Name))
            {
                kept.Add(l);
            }
        }

        return kept.Count == _labels.Length ? this : FromSortedUnchecked([.. kept]);
    }

    public LabelsBuilder ToBuilder() => new(this);

    /// <summary>Prometheus's xxhash64 over name 0xff value 0xff …, used by limit_ratio.</summary>
    public ulong StableHash()
    {
        var hasher = new XxHash64();
        Span<byte> sep = [0xff];
        foreach (var l in _labels)
        {
            hasher.Append(Encoding.UTF8.GetBytes(l.Name));
            hasher.Append(sep);
            hasher.Append(Encoding.UTF8.GetBytes(l.Value));
            hasher.Append(sep);
        }

        return hasher.GetCurrentHashAsUInt64();
    }

    public bool Equals(Labels? other)
    {
        if (ReferenceEquals(this, other))
        {
            return true;
        }

        if (other is null || other._labels.Length != _labels.Length)
        {
            return false;
        }

        for (var i = 0; i < _labels.Length; i++)
        {
            if (_labels[i].Name != other._labels[i].Name || _labels[i].Value != other._labels[i].Value)
            {
                return false;
            }
        }

        return true;
    }

    public override bool Equals(object? obj) => obj is Labels other && Equals(other);

    public override int GetHashCode()
    {
        if (_hashCode == 0)
        {
            var h = new HashCode();
            foreach (var l in _labels)
            {
                h.Add(l.Name);
                h.Add(l.Value);
            }

            var code = h.ToHashCode();
            _hashCode = code == 0 ? 1 : code;
        }

        return _hashCode;
    }

    /// <summary>Orders as Prometheus's <c>labels.Compare</c>: pair by pair, names first, then the shorter set.</summary>
    public int CompareTo(Labels? other)
    {
        if (other is null)
        {
            return 1;
        }

        var n = Math.Min(_labels.Length, other._labels.Length);
        for (var i = 0; i < n; i++)
        {
            var c = string.CompareOrdinal(_labels[i].Name, other._labels[i].Name);
            if (c != 0)
            {
                return c;
            }

            c = string.CompareOrdinal(_labels[i].Value, other._labels[i].Value);
            if (c != 0)
            {
                return c;
            }
        }

        return _labels.Length.CompareTo(other._labels.Length);
    }

    /// <summary>Prometheus's text form: <c>name{a="b", c="d"}</c>.</summary>
    public override string ToString()
    {
        var sb = new StringBuilder();
        var name = Get(MetricName);
        var hasOthers = false;
        if (name.Length > 0 && IsLegacyMetricName(name))
        {
            sb.Append(name);
        }

        sb.Append('{');
        foreach (var l in _labels)
        {
            if (l.Name == MetricName && name.Length > 0 && IsLegacyMetricName(name))
            {
                continue;
            }

            if (hasOthers)
            {
                sb.Append(", ");
            }

            if (l.Name == MetricName)
            {
                sb.Append(Quote(l.Value));
                hasOthers = true;
                continue;
            }

            sb.Append(IsLegacyLabelName(l.Name) ? l.Name : Quote(l.Name)).Append('=').Append(Quote(l.Value));
            hasOthers = true;
        }

        sb.Append('}');
        return sb.ToString();
    }

    internal static string Quote(string s)
    {
        var sb = new StringBuilder(s.Length + 2);
        sb.Append('"');
        foreach (var c in s)
        {
            switch (c)
            {
                case '"': sb.Append("\\\""); break;
                case '\\': sb.Append("\\\\"); break;
                case '\n': sb.Append("\\n"); break;
                case '\t': sb.Append("\\t"); break;
                case '\r': sb.Append("\\r"); break;
                case >= '\uDC80' and <= '\uDCFF': sb.Append("\\x").Append(((int)c - 0xDC00).ToString("x2", System.Globalization.CultureInfo.InvariantCulture)); break;
                default: sb.Append(c); break;
            }
        }

        return sb.Append('"').ToString();
    }

    public static bool IsLegacyMetricName(string s)
    {
        if (s.Length == 0)
        {
            return false;
        }

        for (var i = 0; i < s.Length; i++)
        {
            var c = s[i];
            var ok = c is (>= 'a' and <= 'z') or (>= 'A' and <= 'Z') or '_' or ':' || (i > 0 && c is >= '0' and <= '9');
            if (!ok)
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>Prometheus 3 accepts any non-empty valid UTF-8 label name.</summary>
    public static bool IsValidLabelName(string s)
    {
        if (s.Length == 0)
        {
            return false;
        }

        for (var i = 0; i < s.Length; i++)
        {
            if (char.IsHighSurrogate(s[i]) && i + 1 < s.Length && char.IsLowSurrogate(s[i + 1]))
            {
                i++;
            }
            else if (char.IsSurrogate(s[i]))
            {
                return false;
            }
        }

        return true;
    }

    public static bool IsLegacyLabelName(string s)
    {
        if (s.Length == 0)
        {
            return false;
        }

        for (var i = 0; i < s.Length; i++)
        {
            var c = s[i];
            var ok = c is (>= 'a' and <= 'z') or (>= 'A' and <= 'Z') or '_' || (i > 0 && c is >= '0' and <= '9');
            if (!ok)
            {
                return false;
            }
        }

        return true;
    }
}

/// <summary>Mutable helper to derive one label set from another.</summary>
public sealed class LabelsBuilder
{
    private readonly Dictionary<string, string> _map = new(StringComparer.Ordinal);

    public LabelsBuilder(Labels start)
    {
        foreach (var l in start.AsSpan())
        {
            _map[l.Name] = l.Value;
        }
    }

    public LabelsBuilder Set(string name, string value)
    {
        if (value.Length == 0)
        {
            _map.Remove(name);
        }
        else
        {
            _map[name] = value;
        }

        return this;
    }

    public LabelsBuilder Del(string name)
    {
        _map.Remove(name);
        return this;
    }

    public string Get(string name) => _map.TryGetValue(name, out var v) ? v : string.Empty;

    public Labels Build()
    {
        var arr = new Label[_map.Count];
        var i = 0;
        foreach (var kv in _map)
        {
            arr[i++] = new Label(kv.Key, kv.Value);
        }

        Array.Sort(arr, static (a, b) => string.CompareOrdinal(a.Name, b.Name));
        return Labels.FromSortedUnchecked(arr);
    }
}
