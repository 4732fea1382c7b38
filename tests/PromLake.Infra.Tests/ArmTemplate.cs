using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace PromLake.Infra.Tests;

/// <summary>
/// A compiled ARM template with its nested module deployments, for assertions that do not need
/// Azure: find resources at any depth, read their properties, and follow a module parameter back
/// to the expression the top-level template passes in.
/// </summary>
internal sealed partial class ArmTemplate
{
    private ArmTemplate(JsonObject root)
    {
        Root = root;
        Resources = Collect(root, []).ToList();
    }

    public JsonObject Root { get; }

    /// <summary>Every resource the deployment creates, at any depth (existing references left out).</summary>
    public IReadOnlyList<ArmResource> Resources { get; }

    public static ArmTemplate Parse(string json) =>
        new((JsonNode.Parse(json) as JsonObject) ?? throw new InvalidOperationException("the template is not a JSON object"));

    public IEnumerable<ArmResource> OfType(string type) =>
        Resources.Where(r => string.Equals(r.Type, type, StringComparison.OrdinalIgnoreCase));

    public ArmResource Single(string type)
    {
        var matches = OfType(type).ToList();
        Assert.True(matches.Count == 1, $"expected exactly one {type}, found {matches.Count}");
        return matches[0];
    }

    /// <summary>
    /// Follows <paramref name="expression"/>, as found inside <paramref name="resource"/>'s template, out
    /// through each enclosing module while it is exactly a parameter reference ("[parameters('x')]"),
    /// and returns the expression at the outermost level it reaches.
    /// </summary>
    public static string ResolveToRoot(ArmResource resource, string expression)
    {
        for (var i = resource.Modules.Count - 1; i >= 0; i--)
        {
            var match = ParameterReference().Match(expression);
            if (!match.Success)
            {
                return expression;
            }

            var passed = resource.Modules[i]["properties"]?["parameters"]?[match.Groups[1].Value]?["value"];
            Assert.True(passed is not null, $"module {resource.Modules[i]["name"]} does not pass parameter '{match.Groups[1].Value}'");
            expression = passed is JsonValue value && value.TryGetValue<string>(out var text) ? text : passed!.ToJsonString();
        }

        return expression;
    }

    /// <summary>Every string anywhere in <paramref name="node"/> (values and property names).</summary>
    public static IEnumerable<string> Strings(JsonNode? node)
    {
        switch (node)
        {
            case JsonObject obj:
                foreach (var (key, child) in obj)
                {
                    yield return key;
                    foreach (var s in Strings(child))
                    {
                        yield return s;
                    }
                }

                break;
            case JsonArray array:
                foreach (var child in array)
                {
                    foreach (var s in Strings(child))
                    {
                        yield return s;
                    }
                }

                break;
            case JsonValue value when value.TryGetValue<string>(out var text):
                yield return text;
                break;
        }
    }

    /// <summary>Resources of a template (an array, or an object keyed by symbolic name in language version 2.0).</summary>
    private static IEnumerable<(string? SymbolicName, JsonObject Resource)> ResourcesOf(JsonObject template) =>
        template["resources"] switch
        {
            JsonArray array => array.OfType<JsonObject>().Select(r => ((string?)null, r)),
            JsonObject byName => byName.Where(p => p.Value is JsonObject).Select(p => ((string?)p.Key, (JsonObject)p.Value!)),
            _ => [],
        };

    private static IEnumerable<ArmResource> Collect(JsonObject template, IReadOnlyList<JsonObject> modules)
    {
        foreach (var (symbolicName, resource) in ResourcesOf(template))
        {
            if (resource["existing"]?.GetValue<bool>() == true)
            {
                continue;
            }

            var type = resource["type"]?.GetValue<string>() ?? "";
            yield return new ArmResource(type, symbolicName, resource, template, modules);
            if (type == "Microsoft.Resources/deployments" && resource["properties"]?["template"] is JsonObject nested)
            {
                foreach (var inner in Collect(nested, [.. modules, resource]))
                {
                    yield return inner;
                }
            }
        }
    }

    [GeneratedRegex(@"^\[parameters\('([^']+)'\)\]$")]
    private static partial Regex ParameterReference();
}

/// <param name="Type">e.g. Microsoft.Storage/storageAccounts.</param>
/// <param name="SymbolicName">Its Bicep symbolic name, where the template keeps one (language version 2.0).</param>
/// <param name="Json">The resource as written in its template.</param>
/// <param name="Template">The template (top level or a module's) that declares it.</param>
/// <param name="Modules">The module deployments it sits in, outermost first.</param>
internal sealed record ArmResource(string Type, string? SymbolicName, JsonObject Json, JsonObject Template, IReadOnlyList<JsonObject> Modules)
{
    public JsonNode? Properties => Json["properties"];

    /// <summary>A property by path (e.g. "properties", "partitionCount"), or null.</summary>
    public JsonNode? At(params string[] path)
    {
        JsonNode? node = Json;
        foreach (var segment in path)
        {
            node = node?[segment];
        }

        return node;
    }

    /// <summary>The property's value as a string (expressions are strings), or its JSON text.</summary>
    public string? Text(params string[] path) =>
        At(path) switch
        {
            null => null,
            JsonValue value when value.TryGetValue<string>(out var text) => text,
            var other => other.ToJsonString(),
        };
}
