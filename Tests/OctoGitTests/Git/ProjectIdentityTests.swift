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
    for (url, shown) in cases {
      #expect(ProjectIdentity.redacted(url: url) == shown, "\(url)")
      #expect(!ProjectIdentity.redacted(url: url).contains("SECRET"))
    }
  }
}
