import Testing

@testable import OctoGit

@Suite("Project identity")
struct ProjectIdentityTests {
  @Test("ssh, https, scp-like and .git spellings of one remote are one project; local paths stay paths")
  func spellings() {
    let same = [
      "git@github.com:Acme/Shop.git", "https://github.com/acme/shop", "https://user:token@GitHub.com/Acme/Shop.git/",
      "ssh://git@github.com:22/Acme/Shop", "ssh://git@github.com/acme/shop.git", "git://github.com/Acme/Shop",
    ]
    #expect(Set(same.map(ProjectIdentity.normalise(url:))) == ["github.com/acme/shop"])
    #expect(ProjectIdentity.normalise(url: "https://ghe.example.com:8443/Team/App.git") == "ghe.example.com/team/app")
    #expect(ProjectIdentity.normalise(url: "/srv/git/App.git") == "/srv/git/App")
    #expect(ProjectIdentity.normalise(url: "file:///srv/git/App/.git") == "/srv/git/App")
    #expect(
      ProjectIdentity.normalise(url: "https://gitlab.example.com/Team/App.git?private_token=glpat-SECRET#top")
        == "gitlab.example.com/team/app")
    #expect(ProjectIdentity.normalise(url: "ssh://git@[::1]:2222/acme/r9.git") == "[::1]/acme/r9")
    #expect(ProjectIdentity.normalise(url: "https://[fe80::1]/acme/r9") == "[fe80::1]/acme/r9")
  }

  @Test("an origin is kept and shown without user, password, token, query or fragment")
  func redacted() {
    let cases = [
      ("https://alice:ghp_SECRET@github.com/acme/a.git", "https://github.com/acme/a.git"),
      ("https://ghp_SECRET@github.com/acme/a.git", "https://github.com/acme/a.git"),
      ("HTTP://u:p@host:8080/x?private_token=glpat-SECRET", "HTTP://host:8080/x"),
      ("https://gitlab.example.com/t/a.git?private_token=glpat-SECRET#frag", "https://gitlab.example.com/t/a.git"),
      ("ssh://git:SECRET@github.com:22/acme/a", "ssh://git@github.com:22/acme/a"),
      ("ssh://git@github.com/acme/a.git", "ssh://git@github.com/acme/a.git"),
      ("git@github.com:acme/a.git", "git@github.com:acme/a.git"),
      ("/srv/git/a?b.git", "/srv/git/a?b.git"),
      ("file:///srv/git/a.git", "file:///srv/git/a.git"),
    ]
    // In git's messages too.
    let message = GitCLI.oneLine(
      "fatal: unable to access 'http://127.0.0.1:1/x.git?access_token=QTOKEN42/': Failed to connect\n"
        + "fatal: repository https://alice:ghp_SECRET9@github.com/acme/a.git/ not found\n")
    #expect(!message.contains("QTOKEN42") && !message.contains("SECRET9") && !message.contains("alice"), "\(message)")
    #expect(message.contains("'http://127.0.0.1:1/x.git'") && message.contains("https://github.com/acme/a.git/"))
    #expect(RedactedURL.inText("no url here: a://") == "no url here: a://")
    for (url, shown) in cases {
      #expect(RedactedURL.of(url) == shown, "\(url)")
      #expect(!RedactedURL.of(url).contains("SECRET"))
    }
  }
}
