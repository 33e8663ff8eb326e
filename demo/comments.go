package demo

// Free-text comments of survey answers: short French remarks, some with
// personal data (names, file and phone numbers), as real comments have. They
// are drawn by the respondent's latent satisfaction.

// commentSet holds negative, neutral and positive remarks.
type commentSet struct {
	negative, neutral, positive []string
}

// pick draws a comment for latent satisfaction z, with u uniform in [0, 1).
func (c commentSet) pick(z, u float64) string {
	list := c.neutral
	switch {
	case z < -0.6:
		list = c.negative
	case z > 0.9:
		list = c.positive
	}
	return list[int(u*float64(len(list)))]
}

func (k *chunk) comment(z float64) string { return userComments.pick(z, k.r.Float64()) }

var userComments = commentSet{
	negative: []string{
		"Beaucoup trop d'attente, plus d'une heure.",
		"Impossible de joindre quelqu'un au téléphone.",
		"On m'a renvoyé vers le site internet sans m'aider.",
		"Mon dossier n° 4521873 est toujours bloqué, personne ne répond.",
		"Attente interminable et aucune explication.",
		"Je rappelle pour la troisième fois, toujours rien. Mon numéro : 06 12 34 56 78.",
		"Conseiller peu aimable.",
		"Trop de monde le lundi matin, il faut plus de guichets.",
		"Paiement en retard depuis trois semaines, je n'ai plus de ressources.",
	},
	neutral: []string{
		"Correct, mais les horaires d'ouverture sont trop courts.",
		"Bien, même si j'ai dû revenir avec un document manquant.",
		"Les explications étaient un peu rapides.",
		"Service correct.",
		"Il manque des places assises dans la salle d'attente.",
		"La borne de tickets ne fonctionnait pas.",
		"Réponse reçue, mais il a fallu relancer.",
	},
	positive: []string{
		"Accueil très agréable, merci.",
		"Conseillère à l'écoute et efficace.",
		"Rapide et clair, rien à redire.",
		"Merci à Mme Martin pour sa patience.",
		"Réponse claire à toutes mes questions.",
		"Très bon accueil, personnel souriant.",
		"Problème réglé en une seule visite, merci !",
		"Merci à M. Benali, très professionnel.",
	},
}

var mysteryComments = commentSet{
	negative: []string{
		"Visite mystère : attente longue, agent peu disponible.",
		"Visite mystère : informations incomplètes sur les pièces à fournir.",
		"Visite mystère : horaires non affichés, accueil sans salutation.",
	},
	neutral: []string{
		"Visite mystère : accueil correct, orientation à préciser.",
		"Visite mystère : délai respecté, explications un peu techniques.",
	},
	positive: []string{
		"Visite mystère : accueil dans les délais, informations exactes.",
		"Visite mystère : accueil courtois, orientation correcte.",
	},
}
