using System.Security.Cryptography;
using System.Text.Json;
using System.Text.Json.Nodes;
using PromLake.Ingest.Tenancy;

namespace PromLake.Server;

/// <summary>
/// <c>PromLake.Server credential create --tenant ID (--basic USER | --bearer)</c>:
/// makes a new secret, prints it once, and prints the configuration entry that
/// holds only its salted hash.
/// </summary>
internal static class CredentialCommand
{
    public static int Run(string[] args)
    {
        string? tenant = null;
        string? basicUser = null;
        var bearer = false;
        var passwordFromStdin = false;
        for (var i = 2; i < args.Length; i++)
        {
            switch (args[i])
            {
                case "--tenant" when i + 1 < args.Length:
                    tenant = args[++i];
                    break;
                case "--basic" when i + 1 < args.Length:
                    basicUser = args[++i];
                    break;
                case "--bearer":
                    bearer = true;
                    break;
                case "--password-stdin":
                    passwordFromStdin = true;
                    break;
                default:
                    return Usage($"unknown argument '{args[i]}'");
            }
        }

        if (args.Length < 2 || args[1] != "create" || tenant is null || (basicUser is null) == !bearer)
        {
            return Usage(null);
        }

        JsonObject entry;
        string secretLine;
        string remoteWrite;
        if (bearer)
        {
            var (id, token) = BearerToken.Create();
            entry = new JsonObject { ["Type"] = "bearer", ["Id"] = id, ["SecretHash"] = SecretHash.Create(BearerToken.SecretOf(token)) };
            secretLine = $"token: {token}";
            remoteWrite = $"""
                remote_write:
                  - url: http://<promlake-host>/api/v1/write
                    authorization:
                      credentials: {token}
                """;
        }
        else
        {
            var password = passwordFromStdin
                ? Console.In.ReadLine() ?? ""
                : Convert.ToBase64String(RandomNumberGenerator.GetBytes(24)).TrimEnd('=').Replace('+', '-').Replace('/', '_');
            if (password.Length == 0)
            {
                return Usage("the password read from standard input is empty");
            }

            entry = new JsonObject { ["Type"] = "basic", ["Username"] = basicUser, ["SecretHash"] = SecretHash.Create(password) };
            secretLine = passwordFromStdin ? $"password: (as given)" : $"password: {password}";
            remoteWrite = $"""
                remote_write:
                  - url: http://<promlake-host>/api/v1/write
                    basic_auth:
                      username: {basicUser}
                      password_file: /etc/prometheus/promlake-password
                """;
        }

        var config = new JsonObject
        {
            ["PromLake"] = new JsonObject
            {
                ["Tenants"] = new JsonObject { [tenant] = new JsonObject { ["Credentials"] = new JsonArray(entry) } },
            },
        };
        Console.WriteLine($"# New credential for tenant '{tenant}'. The secret is shown once; only its hash is stored.");
        Console.WriteLine($"# {secretLine}");
        Console.WriteLine("# Add this to the server's configuration (appsettings.json, or merge into an existing tenant):");
        Console.WriteLine(config.ToJsonString(new JsonSerializerOptions { WriteIndented = true }));
        Console.WriteLine("# Prometheus configuration:");
        Console.WriteLine(remoteWrite);
        return 0;
    }

    private static int Usage(string? error)
    {
        if (error is not null)
        {
            Console.Error.WriteLine("error: " + error);
        }

        Console.Error.WriteLine("usage: PromLake.Server credential create --tenant ID (--basic USER [--password-stdin] | --bearer)");
        return 2;
    }
}
