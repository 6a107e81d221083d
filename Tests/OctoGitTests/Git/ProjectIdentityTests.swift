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
  }
}
